package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.worker.ProjectorStats;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Liveness from the worker's figures: a stuck shard fails it, naming the shard. */
class WorkerHealthTest {

    private static ProjectorStats stats(Map<String, Long> stuck) {
        return new ProjectorStats(10, 2, 4, 2, 8.0, 0, 0, 0, "CLOSED", 0, 0, 2, Map.of(), 60_000, stuck);
    }

    @Test
    void aRunningWorkerIsUpUntilAShardIsStuckThenDownNamingTheShard() {
        HealthServer.Check up = WorkerHealth.health(WorkerHealth.Phase.RUNNING, true, stats(Map.of()));
        assertThat(up.ok()).isTrue();
        assertThat(up.status()).isEqualTo("UP");
        assertThat(up.details()).doesNotContainKey("stuckShards");

        Map<String, Long> stuck = new LinkedHashMap<>();
        stuck.put("shardId-0001", 420_000L);
        stuck.put("shardId-0002", 310_000L);
        HealthServer.Check down = WorkerHealth.health(WorkerHealth.Phase.RUNNING, true, stats(stuck));
        assertThat(down.ok()).isFalse();
        assertThat(down.status()).isEqualTo("STUCK");
        assertThat((String) down.details().get("reason")).startsWith("shard shardId-0001 has not finished a batch for 420 s");
        assertThat(down.details().get("stuckShards")).isEqualTo(Map.of("shardId-0001", 420L, "shardId-0002", 310L));
    }

    @Test
    void aStoppingWorkerStaysAliveAndADeadSchedulerIsDown() {
        assertThat(WorkerHealth.health(WorkerHealth.Phase.STOPPING, true, stats(Map.of("s", 1_000_000L))).ok()).isTrue();
        HealthServer.Check dead = WorkerHealth.health(WorkerHealth.Phase.RUNNING, false, stats(Map.of()));
        assertThat(dead.ok()).isFalse();
        assertThat(dead.details().get("reason")).isEqualTo("the KCL scheduler stopped");
    }
}
