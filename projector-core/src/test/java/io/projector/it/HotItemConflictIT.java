package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.projector.Projection;
import io.projector.ops.ReadModelVerifier;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorConfig;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Items shared by every shard — the per-group counters of {@link CopyProjection} — written by two
 * workers, one per source table, into one read model, while {@link ConflictInjector} cancels their
 * transactions the way DynamoDB does when two touch one item at once. Conflicts are contention, not
 * an outage: the breaker stays closed, each shard backs off on its own, changes ahead of a contested
 * item still commit, and the read model ends equal to the recomputation over both sources.
 */
class HotItemConflictIT {

    @Test
    void conflictsOnSharedCountersNeitherOpenTheBreakerNorHoldBackUnrelatedChanges() {
        TestDynamo.Setup a = TestDynamo.tables("hot-a");
        TestDynamo.Setup b = TestDynamo.tables("hot-b");
        String readModel = a.readModel();
        ConflictInjector conflicts = new ConflictInjector(20261130L, "GROUP#", 0.6);
        List<Projection> copy = List.of(new CopyProjection());
        ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), copy, "type");
        SimpleMeterRegistry metersA = new SimpleMeterRegistry();
        SimpleMeterRegistry metersB = new SimpleMeterRegistry();
        UnaryOperator<ProjectorConfig.Builder> tuning = c -> c.readModelTable(readModel).readModelInterceptor(conflicts)
                .retryInitialBackoff(Duration.ofMillis(5)).retryMaxBackoff(Duration.ofMillis(100));
        SourceWriter writerA = new SourceWriter(a.source(), 11, 60, "A#");
        SourceWriter writerB = new SourceWriter(b.source(), 12, 60, "B#");

        Projector workerB = b.start(copy, c -> tuning.apply(c).meterRegistry(metersB));
        Projector workerA = a.start(copy, c -> tuning.apply(c).meterRegistry(metersA));
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> workerA.isReady() && workerB.isReady());

            // 1. Both shards commit to the same four counters at once; 60 % of those commits are cancelled.
            for (int round = 0; round < 5; round++) {
                writerA.write(30);
                writerB.write(30);
                await().atMost(Duration.ofSeconds(60)).until(() -> workerA.stats().eventsSeen() >= writerA.written()
                        && workerB.stats().eventsSeen() >= writerB.written());
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> verifier.verify(List.of(a.source(), b.source()), readModel).matches());
            double conflictsA = metersA.get("projector.commit.conflicts").functionCounter().count();
            double conflictsB = metersB.get("projector.commit.conflicts").functionCounter().count();
            System.out.printf("hot items: %d transactions, %d cancelled (%d seeded on hot items, %d overlapping in flight); "
                            + "worker A %d commits, %.0f conflicts; worker B %d commits, %.0f conflicts%n",
                    conflicts.transactions.get(), conflicts.conflicts(), conflicts.hotConflicts.get(), conflicts.overlaps.get(),
                    workerA.stats().chunksCommitted(), conflictsA, workerB.stats().chunksCommitted(), conflictsB);
            assertThat(conflictsA).isPositive();
            assertThat(conflictsB).isPositive();
            for (Projector w : List.of(workerA, workerB)) {
                assertThat(w.stats().breakerWaits()).as("shards never waited for an open breaker").isZero();
                assertThat(w.stats().breakerState()).isEqualTo("CLOSED");
                assertThat(w.stats().parked()).isZero();
            }

            // 2. A hot item that stays contested holds back only the changes from it on: the 60 changes
            //    ahead of it in A's shard commit (smaller chunks), and B's shard keeps committing.
            conflicts.hotRate(0);
            workerA.stop(Duration.ofSeconds(20));
            for (int i = 0; i < 60; i++) {
                TestDynamo.putThing(a.source(), "A-X#" + i, "THING", "g1", "x" + i, 1);
            }
            TestDynamo.putThing(a.source(), "A-X#hot", "THING", "hot", "x", 1);
            conflicts.block("GROUP#hot");
            try (Projector restarted = a.start(copy, tuning)) {
                long commitsB = workerB.stats().chunksCommitted();
                writerB.write(40);
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (int i = 0; i < 60; i++) {
                        if (TestDynamo.get(readModel, "COPY#A-X#" + i + "#THING", "COPY").isEmpty()) {
                            return false;
                        }
                    }
                    return true;
                });
                await().atMost(Duration.ofSeconds(30)).until(() -> workerB.stats().eventsSeen() >= writerB.written()
                        && workerB.stats().chunksCommitted() > commitsB);
                assertThat(TestDynamo.get(readModel, "COPY#A-X#hot#THING", "COPY")).as("the contested change waits, it is not skipped").isEmpty();
                assertThat(conflicts.blockedConflicts.get()).isPositive();

                conflicts.unblock("GROUP#hot");
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> verifier.verify(List.of(a.source(), b.source()), readModel).matches());
                assertThat(restarted.stats().breakerWaits()).isZero();
                assertThat(restarted.stats().parked()).isZero();
                assertThat(workerB.stats().breakerWaits()).isZero();
            }
        } finally {
            workerA.close();
            workerB.close();
        }
    }
}
