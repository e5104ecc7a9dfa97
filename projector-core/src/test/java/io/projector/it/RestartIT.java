package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.ops.ReadModelVerifier;
import io.projector.ops.VerificationResult;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorStats;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A worker stopped in the middle of the stream and started again leaves no duplicate and no gap. */
class RestartIT {

    @Test
    void stopAndRestartMidStreamLeavesNoDuplicateAndNoGap() {
        TestDynamo.Setup t = TestDynamo.tables("restart");
        ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), List.of(new CopyProjection()), "type");
        SourceWriter writer = new SourceWriter(t.source(), 7, 40);

        Projector first = t.start(List.of(new CopyProjection()));
        writer.write(300);
        await().atMost(Duration.ofSeconds(90)).until(() -> first.stats().chunksCommitted() > 0);
        writer.write(100);
        first.stop(Duration.ofSeconds(20));
        ProjectorStats before = first.stats();

        writer.write(300);
        try (Projector second = t.start(List.of(new CopyProjection()))) {
            writer.write(100);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> verifier.verify(t.source(), t.readModel()).matches());
            VerificationResult result = verifier.verify(t.source(), t.readModel());
            assertThat(result.differences()).isEmpty();
            assertThat(result.actualItems()).isGreaterThan(10);
            // The second worker resumed where the first stopped: it did not re-read everything.
            assertThat(before.eventsSeen() + second.stats().eventsSeen()).isLessThan(2L * writer.written());
        }
    }
}
