package io.projector.runner.demo;

import io.projector.runner.Main;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's demo, small: it projects, verifies and exits 0; a second run resumes the same data. */
class DemoCommandIT {

    @TempDir
    Path dataDir;

    @Test
    void demoVerifiesAndResumes() {
        String first = demo();
        assertThat(first).contains("run 1:").contains("records projected").contains("end-to-end lag")
                .contains("read model matches the recomputation");
        String second = demo();
        assertThat(second).contains("run 2:").contains("read model matches the recomputation");
    }

    private String demo() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        int code;
        try {
            code = Main.execute("demo", "--data-dir", dataDir.toString(), "--customers", "20", "--orders", "150", "--users", "30",
                    // Each sample waits for its item one after another: 100 of them were half the test's time.
                    "--lag-samples", "20");
        } finally {
            System.setOut(original);
        }
        String out = captured.toString();
        assertThat(code).as(out).isZero();
        return out;
    }
}
