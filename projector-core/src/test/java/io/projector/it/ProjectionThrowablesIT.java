package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.projector.FailurePolicy;
import io.projector.ops.DeadLetter;
import io.projector.ops.DeadLetters;
import io.projector.worker.Projector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Projections that throw what only {@code RuntimeException} handling missed, through the real KCL
 * on DynamoDB Local: the good changes of the same batch are projected, the bad ones parked (or the
 * shard halted under HALT), nothing is lost after a restart; a projection that never returns shows
 * as a stuck shard, and the worker still stops within its budget.
 */
class ProjectionThrowablesIT {

    private static final List<String> BAD = List.of("checked", "error", "missing-class", "overflow");

    /** Good and bad changes interleaved, written before the worker starts so that they arrive in one batch. */
    private static void writeMixedBatch(TestDynamo.Setup t) {
        for (int i = 0; i < BAD.size(); i++) {
            TestDynamo.putThing(t.source(), "good-" + i, "A", "g", "fine-" + i, 1);
            TestDynamo.putThing(t.source(), "bad-" + BAD.get(i), "A", "g", BAD.get(i), 1);
        }
        TestDynamo.putThing(t.source(), "good-last", "A", "g", "fine-last", 1);
    }

    private static boolean copied(TestDynamo.Setup t, String pk) {
        return !TestDynamo.get(t.readModel(), "THROW#" + pk, "COPY").isEmpty();
    }

    private static List<String> goods() {
        return List.of("good-0", "good-1", "good-2", "good-3", "good-last");
    }

    @Test
    void everyKindOfThrowableParksItsChangeAndTheGoodChangesOfTheBatchAreProjected() {
        TestDynamo.Setup t = TestDynamo.tables("throwables");
        writeMixedBatch(t);
        ThrowingProjection projection = new ThrowingProjection(FailurePolicy.DEAD_LETTER);
        DeadLetters letters = new DeadLetters(TestDynamo.client(), t.readModel(), t.application(), List.of(projection.fixed()));
        try (Projector projector = t.start(List.of(projection))) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> letters.list(null).size() >= BAD.size() && goods().stream().allMatch(g -> copied(t, g)));

            Map<String, DeadLetter> byItem = letters.list(null).stream()
                    .collect(Collectors.toMap(d -> d.sourceKey().replaceAll("^PK=bad-([^|]*)\\|.*$", "$1"), d -> d));
            assertThat(byItem).containsOnlyKeys(BAD);
            assertThat(byItem.get("checked").reason()).contains("IOException: cache file is locked");
            assertThat(byItem.get("error").reason()).contains("AssertionError: amount must not be negative");
            assertThat(byItem.get("missing-class").reason()).contains("NoClassDefFoundError: com/acme/money/Money", "add it to the plugin jar");
            assertThat(byItem.get("overflow").errorType()).isEqualTo("StackOverflowError");
            assertThat(projector.stats().haltedShards()).isEmpty();
            assertThat(projector.stats().parked()).isEqualTo(BAD.size());
        }
        // Deploying the fix and re-driving brings every parked change in: none was lost.
        DeadLetters.RedriveResult result = letters.redrive(null);
        assertThat(result.redriven()).isEqualTo(BAD.size());
        assertThat(letters.list(null)).isEmpty();
        BAD.forEach(b -> assertThat(copied(t, "bad-" + b)).as(b).isTrue());
    }

    @Test
    void underHaltTheShardStopsAtTheBatchAndARestartWithTheFixProjectsEveryChange() {
        TestDynamo.Setup t = TestDynamo.tables("throwables-halt");
        writeMixedBatch(t);
        ThrowingProjection projection = new ThrowingProjection(FailurePolicy.HALT);
        try (Projector projector = t.start(List.of(projection))) {
            await().atMost(Duration.ofSeconds(90)).until(() -> !projector.stats().haltedShards().isEmpty());
            assertThat(projector.stats().haltedShards().values()).singleElement().asString()
                    .contains("'throwing'", "IOException: cache file is locked", "(policy: halt)");
            TestDynamo.putThing(t.source(), "after-halt", "A", "g", "fine", 1);
            // A halted shard commits nothing after the last committed change, not even the good ones of its batch.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !copied(t, "good-0") && !copied(t, "after-halt"));
            assertThat(projector.stats().chunksCommitted()).isZero();
        }
        try (Projector projector = t.start(List.of(projection.fixed()))) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> copied(t, "after-halt") && goods().stream().allMatch(g -> copied(t, g)));
            BAD.forEach(b -> assertThat(copied(t, "bad-" + b)).as(b).isTrue());
            assertThat(projector.stats().haltedShards()).isEmpty();
            assertThat(projector.stats().parked()).isZero();
        }
    }

    @Test
    void aProjectionThatNeverReturnsShowsAsAStuckShardWithGrowingGaugesAndTheStopStillEndsInTime() {
        TestDynamo.Setup t = TestDynamo.tables("stuck");
        TestDynamo.putThing(t.source(), "first", "A", "g", "fine", 1);
        TestDynamo.putThing(t.source(), "loops", "A", "g", "stuck", 1);
        TestDynamo.putThing(t.source(), "behind", "A", "g", "fine", 1);
        ThrowingProjection projection = new ThrowingProjection(FailurePolicy.DEAD_LETTER);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Projector projector = t.start(List.of(projection), b -> b.meterRegistry(meters).stuckBatchAfter(Duration.ofSeconds(2)));
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> !projector.stats().stuckShards().isEmpty());
            String shard = projector.stats().stuckShards().keySet().iterator().next();
            double age = meters.get("projector.shard.batch.age").tag("shard", shard).gauge().value();
            double lag = meters.get("projector.shard.lag").tag("shard", shard).gauge().value();
            assertThat(age).isPositive();
            assertThat(meters.get("projector.shards.stuck").gauge().value()).isEqualTo(1.0);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(meters.get("projector.shard.batch.age").tag("shard", shard).gauge().value()).isGreaterThan(age + 1_000);
                assertThat(meters.get("projector.shard.lag").tag("shard", shard).gauge().value()).as("the lag grows").isGreaterThan(lag + 1_000);
            });
            assertThat(copied(t, "behind")).isFalse();

            projection.release(true);
            await().atMost(Duration.ofSeconds(30)).until(() -> copied(t, "behind") && projector.stats().stuckShards().isEmpty());
            assertThat(meters.get("projector.shards.stuck").gauge().value()).isZero();

            // Stuck again, and the worker is told to stop: the stop keeps to its budget although the batch never ends.
            projection.release(false);
            TestDynamo.putThing(t.source(), "loops-again", "A", "g", "stuck", 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> !projector.stats().stuckShards().isEmpty());
            long started = System.nanoTime();
            boolean clean = projector.stop(Duration.ofSeconds(8));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("stop with a projection that never returns: %d ms (budget 8000 ms), clean=%s%n", tookMillis, clean);
            assertThat(clean).as("the stuck processor could not checkpoint").isFalse();
            assertThat(tookMillis).isLessThan(9_000);
        } finally {
            projection.release(true);
            projector.stop(Duration.ofSeconds(5));
        }
    }
}
