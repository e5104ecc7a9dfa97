package io.projector.internal.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** A batch that does not finish shows in the shard's gauges: its age grows, and so does the lag. */
class EngineShardMetersTest {

    @Test
    void whileABatchRunsItsAgeAndTheLagGrowAndAfterItTheyRest() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EngineCounters.ShardMeters meters = new EngineCounters(registry).shard("s1");
        meters.processed(1_000, 1_500);
        assertThat(meters.lagMillis(100_000)).as("between batches: the lag when the last batch was done").isEqualTo(500);
        assertThat(meters.batchAgeMillis(100_000)).isZero();

        meters.batchStarted(100_000, 99_000);
        assertThat(meters.batchAgeMillis(100_000)).isZero();
        assertThat(meters.batchAgeMillis(160_000)).isEqualTo(60_000);
        assertThat(meters.lagMillis(100_000)).isEqualTo(1_000);
        assertThat(meters.lagMillis(160_000)).as("a stuck batch makes the lag grow").isEqualTo(61_000);

        meters.processed(99_000, 160_500);
        meters.batchEnded();
        assertThat(meters.batchAgeMillis(200_000)).isZero();
        assertThat(meters.lagMillis(200_000)).isEqualTo(61_500);
    }

    @Test
    void theBatchAgeIsAGaugeTaggedWithTheShardThatGoesWithIt() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EngineCounters counters = new EngineCounters(registry);
        counters.shard("s1").batchStarted(System.currentTimeMillis() - 90_000, System.currentTimeMillis() - 120_000);

        assertThat(registry.get("projector.shard.batch.age").tag("shard", "s1").gauge().value()).isGreaterThanOrEqualTo(90_000);
        assertThat(registry.get("projector.shard.lag").tag("shard", "s1").gauge().value()).isGreaterThanOrEqualTo(120_000);
        counters.releaseShard("s1");
        assertThat(registry.find("projector.shard.batch.age").gauges()).isEmpty();
    }
}
