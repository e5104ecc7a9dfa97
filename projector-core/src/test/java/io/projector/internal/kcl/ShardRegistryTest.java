package io.projector.internal.kcl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Stuck shards by batch age, and a stop that reaches a batch in flight. */
class ShardRegistryTest {

    @Test
    void aShardIsStuckOnceItsBatchHasRunForTheThresholdLongestFirst() {
        ShardRegistry registry = new ShardRegistry();
        registry.started("s1");
        registry.started("s2");
        registry.started("s3");
        registry.batchStarted("s1", 10_000);
        registry.batchStarted("s2", 1_000);
        registry.batchStarted("s3", 40_000);

        assertThat(registry.stuckShards(40_000, 30_000)).containsExactly(java.util.Map.entry("s2", 39_000L), java.util.Map.entry("s1", 30_000L));
        assertThat(registry.stuckShards(40_000, 60_000)).isEmpty();

        registry.batchEnded("s2");
        registry.stopped("s1");
        assertThat(registry.stuckShards(40_000, 30_000)).as("a finished batch and a shard given up are not stuck").isEmpty();
    }

    @Test
    void aStopInterruptsTheThreadOfABatchInFlightOnly() throws Exception {
        ShardRegistry registry = new ShardRegistry();
        CountDownLatch inBatch = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread worker = new Thread(() -> {
            registry.batchStarted("s1", System.currentTimeMillis());
            inBatch.countDown();
            try {
                // Stands for a retry's backoff: only the stop's interrupt ends it early.
                new CountDownLatch(1).await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.set(true);
            } finally {
                registry.batchEnded("s1");
            }
        });
        worker.start();
        assertThat(inBatch.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(registry.stopRequested()).isFalse();
        registry.requestStop();

        worker.join(10_000);
        assertThat(worker.isAlive()).isFalse();
        assertThat(interrupted).isTrue();
        assertThat(registry.stopRequested()).isTrue();

        // A batch that ended before the stop is left alone: the KCL's thread is not interrupted in its next task.
        ShardRegistry other = new ShardRegistry();
        other.batchStarted("s2", 0);
        other.batchEnded("s2");
        other.requestStop();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        await().atMost(Duration.ofSeconds(1)).until(() -> !worker.isAlive());
    }
}
