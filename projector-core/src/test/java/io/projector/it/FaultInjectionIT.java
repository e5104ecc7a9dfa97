package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.ops.ReadModelVerifier;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorStats;
import java.time.Duration;
import java.util.List;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.projector.worker.CommitPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Read-model calls fail at random — throttled, 500s, and commits whose response is lost after the
 * table applied them — while a workload is projected through the real KCL. The read model still
 * ends exactly right: nothing lost, nothing applied twice.
 */
class FaultInjectionIT {

    @Test
    void theReadModelEndsExactlyRightDespiteThrottlingServerErrorsAndLostResponses() {
        TestDynamo.Setup t = TestDynamo.tables("faults");
        FaultInjector faults = new FaultInjector(20261121L, 0.15, 0.10, 0.15);
        ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), List.of(new CopyProjection()), "type");
        SourceWriter writer = new SourceWriter(t.source(), 3, 400);

        try (Projector projector = t.start(List.of(new CopyProjection()), b -> b.readModelInterceptor(faults)
                .retryInitialBackoff(Duration.ofMillis(5)).retryMaxBackoff(Duration.ofMillis(100))
                .breakerFailureRate(100))) {
            await().atMost(Duration.ofSeconds(90)).until(projector::isReady);
            // Small rounds, each drained before the next, make many commits for the faults to hit.
            for (int round = 0; round < 40; round++) {
                writer.write(30);
                await().atMost(Duration.ofSeconds(60)).until(() -> projector.stats().eventsSeen() >= writer.written());
            }
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> verifier.verify(t.source(), t.readModel()).matches());
            ProjectorStats stats = projector.stats();
            System.out.printf("fault injection: %d changes, %d throttled, %d server errors, %d lost responses; "
                            + "%d commits, %d found already applied, %d retry rounds exhausted%n",
                    writer.written(), faults.throttled.get(), faults.serverErrors.get(), faults.lostResponses.get(),
                    stats.chunksCommitted(), stats.chunksAlreadyApplied(), stats.transientFailures());

            assertThat(verifier.verify(t.source(), t.readModel()).differences()).isEmpty();
            assertThat(faults.throttled.get()).isPositive();
            assertThat(faults.serverErrors.get()).isPositive();
            assertThat(faults.lostResponses.get()).isPositive();
            // A lost response means the retry finds its own commit already applied, and skips it.
            assertThat(stats.chunksAlreadyApplied()).isPositive();
            assertThat(stats.parked()).isZero();
            assertThat(stats.haltedShards()).isEmpty();
        }
    }

    /**
     * The same faults on the guarded commit, in both packings: its single conditional writes and its
     * packs fail, and a write whose response is lost is sent again and refused by its own guard
     * (counted in {@code projector.guarded.refused}), as are the progress marks.
     */
    @ParameterizedTest
    @EnumSource(value = CommitPolicy.Packing.class, names = {"SINGLE", "PACKED"})
    void theGuardedCommitEndsExactlyRightDespiteThrottlingServerErrorsAndLostResponses(CommitPolicy.Packing packing) {
        TestDynamo.Setup t = TestDynamo.tables("guarded-faults-" + packing.name().toLowerCase(java.util.Locale.ROOT));
        FaultInjector faults = new FaultInjector(20261201L, 0.15, 0.10, 0.15, FaultInjector.GUARDED);
        ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), List.of(new CopyProjection()), "type");
        SourceWriter writer = new SourceWriter(t.source(), 5, 300);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        try (Projector projector = t.start(List.of(new CopyProjection()), b -> b.readModelInterceptor(faults).meterRegistry(registry)
                .commit(CommitPolicy.GUARDED.withPacking(packing))
                .retryInitialBackoff(Duration.ofMillis(5)).retryMaxBackoff(Duration.ofMillis(100)).breakerFailureRate(100))) {
            await().atMost(Duration.ofSeconds(90)).until(projector::isReady);
            for (int round = 0; round < 15; round++) {
                writer.write(30);
                await().atMost(Duration.ofSeconds(60)).until(() -> projector.stats().eventsSeen() >= writer.written());
            }
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> verifier.verify(t.source(), t.readModel()).matches());
            ProjectorStats stats = projector.stats();
            double refused = registry.get("projector.guarded.refused").functionCounter().count();
            System.out.printf("fault injection, guarded %s: %d changes, %d throttled, %d server errors, %d lost responses; "
                            + "%d windows, %.0f writes refused by their guard%n", packing, writer.written(), faults.throttled.get(),
                    faults.serverErrors.get(), faults.lostResponses.get(), stats.chunksCommitted(), refused);

            assertThat(verifier.verify(t.source(), t.readModel()).differences()).isEmpty();
            assertThat(faults.throttled.get()).isPositive();
            assertThat(faults.serverErrors.get()).isPositive();
            assertThat(faults.lostResponses.get()).isPositive();
            // A write whose response was lost landed: sent again, its guard refuses it.
            assertThat(refused).as("writes refused by their guard").isPositive();
            assertThat(stats.parked()).isZero();
            assertThat(stats.haltedShards()).isEmpty();
        }
    }

    @Test
    void aTableThatKeepsFailingOpensTheBreakerPausesTheShardAndItResumesByItself() {
        TestDynamo.Setup t = TestDynamo.tables("breaker");
        FaultInjector faults = new FaultInjector(7L, 0, 0, 0);
        ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), List.of(new CopyProjection()), "type");
        SourceWriter writer = new SourceWriter(t.source(), 5, 50);
        try (Projector projector = t.start(List.of(new CopyProjection()), b -> b.readModelInterceptor(faults)
                .retryAttempts(3).retryInitialBackoff(Duration.ofMillis(5)).retryMaxBackoff(Duration.ofMillis(20))
                .breakerOpenDuration(Duration.ofSeconds(2)))) {
            await().atMost(Duration.ofSeconds(90)).until(projector::isReady);
            writer.write(20);
            await().atMost(Duration.ofSeconds(30)).until(() -> verifier.verify(t.source(), t.readModel()).matches());
            long commitsBefore = projector.stats().chunksCommitted();

            faults.outage(true);
            writer.write(20);
            // The breaker opens once half of its last 20 calls failed; each failed call carries the SDK's own retries
            // (about 3 s here), so that takes some 30 s: a 30 s wait failed in one full-suite run.
            await().atMost(Duration.ofSeconds(90)).until(() -> "OPEN".equals(projector.stats().breakerState()));
            assertThat(projector.stats().chunksCommitted()).as("no progress while the table fails").isEqualTo(commitsBefore);
            assertThat(verifier.verify(t.source(), t.readModel()).matches()).isFalse();

            faults.outage(false);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> verifier.verify(t.source(), t.readModel()).matches());
            assertThat(projector.stats().breakerState()).isEqualTo("CLOSED");
            assertThat(projector.stats().breakerWaits()).isPositive();

            // Access denied blames no record: nothing is parked or skipped; the shard waits for the fix.
            long failuresBefore = projector.stats().transientFailures();
            faults.denyAccess(true);
            writer.write(10);
            await().atMost(Duration.ofSeconds(30)).until(() -> projector.stats().transientFailures() > failuresBefore);
            assertThat(verifier.verify(t.source(), t.readModel()).matches()).isFalse();
            faults.denyAccess(false);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> verifier.verify(t.source(), t.readModel()).matches());
            assertThat(projector.stats().parked()).isZero();
            assertThat(projector.stats().haltedShards()).isEmpty();
        }
    }
}
