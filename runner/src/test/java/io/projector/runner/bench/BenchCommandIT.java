package io.projector.runner.bench;

import io.projector.runner.Main;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** {@code projector bench} with tiny sizes: every phase runs and prints its figures. */
class BenchCommandIT {

    @Test
    void smallRunPrintsEveryPhaseAndTheRatios() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        int code;
        try {
            code = Main.execute("bench", "--changes", "2000", "--ceiling-items", "1000", "--naive-seconds", "2",
                    "--lag-rate", "100", "--lag-seconds", "2", "--backfill-items", "0");
        } finally {
            System.setOut(original);
        }
        String out = captured.toString();
        assertThat(code).as(out).isZero();
        assertThat(out).contains("raw BatchWriteItem").contains("raw stream read through the KCL")
                .contains("2,000 records in").contains("naive baseline").contains("like-heavy part")
                .contains("p50").contains("restart (same application)")
                .contains("backfill: skipped (--backfill-items 0)").contains("raw parallel Scan")
                .contains("Projector / naive baseline").contains("targets")
                .contains("drained by a second application with --commit-mode guarded").contains("naive (not exact) | transactional | guarded")
                .containsPattern("2,000 records in [0-9.]+ s \\(first record to caught up\\): [0-9,]+ records/s, [0-9.]+ x the transactional drain")
                .containsPattern("[0-9,]+ single-item writes \\([0-9,]+ refused by their guard\\)")
                // The engine's commits ask for consumed capacity and DynamoDB Local answers with some.
                .contains("DynamoDB Local reported").doesNotContain("DynamoDB Local reported 0.00 per record");
    }
}
