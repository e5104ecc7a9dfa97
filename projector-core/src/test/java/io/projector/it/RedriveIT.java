package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.FailurePolicy;
import io.projector.Item;
import io.projector.Projection;
import io.projector.ProjectionFailedException;
import io.projector.SequenceNumber;
import io.projector.Write;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.commit.ReadModelBreaker;
import io.projector.internal.commit.RetryPolicy;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.plan.TransactionLimits;
import io.projector.internal.shard.EngineCounters;
import io.projector.internal.shard.ShardProjector;
import io.projector.internal.store.DeadLetterStore;
import io.projector.internal.store.WatermarkStore;
import io.projector.ops.DeadLetter;
import io.projector.ops.DeadLetters.RedriveResult;
import io.projector.ops.DeadLetters;
import io.projector.worker.ProjectorConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The dead-letter store against DynamoDB Local, driving {@link ShardProjector} directly (no KCL):
 * a change a projection cannot project is parked with the watermark move, later changes of its
 * item wait behind it, and a re-drive after the fix applies them once, in order.
 */
class RedriveIT {

    private static final String SHARD = "shard-000001";
    private static final String K = "K";
    private static final String K_SOURCE_KEY = "PK=K|SK=THING";

    private final TestDynamo.Setup t = TestDynamo.tables("redrive");
    private final DynamoDbClient dynamo = TestDynamo.client();
    private final WatermarkStore watermarks = new WatermarkStore(dynamo, t.readModel(), EngineKeys.of(t.application()));
    private final DeadLetterStore store = new DeadLetterStore(dynamo, t.readModel(), EngineKeys.of(t.application()));
    private final MutableClock clock = new MutableClock();
    private final ChunkCommitter committer = new ChunkCommitter(dynamo, t.readModel(), watermarks, store, clock);
    private final ProjectorConfig config = t.config().build();
    private final Retry retry = RetryPolicy.create("redrive-it", config);
    private final CircuitBreaker breaker = ReadModelBreaker.create(config);
    private final SwitchProjection projection = new SwitchProjection("switch", FailurePolicy.DEAD_LETTER);
    private final Source source = new Source();

    // a. Park

    @Test
    void aFailingChangeIsParkedWithTheWatermarkMoveAndLaterChangesOfItsItemWaitBehindIt() {
        EngineCounters counters = new EngineCounters();
        List<ChangeEvent> batch = parkK(counters);

        List<DeadLetter> parked = letters().list("switch");
        assertThat(parked).hasSize(3);
        assertThat(parked).extracting(DeadLetter::sourceKey).containsOnly(K_SOURCE_KEY);
        assertThat(parked).extracting(DeadLetter::shardId).containsOnly(SHARD);
        assertThat(parked).extracting(d -> d.event().orElseThrow().sequenceNumber())
                .containsExactly(batch.get(1).sequenceNumber(), batch.get(3).sequenceNumber(), batch.get(5).sequenceNumber());
        assertThat(parked).extracting(d -> d.event().orElseThrow().type())
                .containsExactly(ChangeType.INSERT, ChangeType.MODIFY, ChangeType.MODIFY);
        assertThat(parked.get(2).event().orElseThrow().newImage().orElseThrow().string("value")).isEqualTo("k3");

        DeadLetter first = parked.get(0);
        assertThat(first.errorType()).isEqualTo("IllegalStateException");
        assertThat(first.reason()).contains("the fragile part is broken").doesNotContain("\n");
        assertThat(first.attempts()).isEqualTo(1);
        for (DeadLetter behind : parked.subList(1, 3)) {
            assertThat(behind.errorType()).isEqualTo("waits-behind");
            assertThat(behind.reason()).contains("waits behind an earlier parked change of the same item (" + K_SOURCE_KEY + ")");
            assertThat(behind.attempts()).isZero();
        }
        assertThat(counters.parked.sum()).isEqualTo(3);

        // The other items went through, K not at all, and the watermark is past everything.
        assertThat(copy("O1")).contains("o1b");
        assertThat(copy("O2")).contains("o2");
        assertThat(changes("O1")).isEqualTo(2);
        assertThat(changes("O2")).isEqualTo(1);
        assertThat(copy(K)).isEmpty();
        assertThat(TestDynamo.get(t.readModel(), "COUNT#" + K, "COUNT")).isEmpty();
        assertThat(total()).isEqualTo(3);
        assertThat(watermarks.load(SHARD, List.of("switch"))).isEqualTo(Map.of("switch", last(batch)));
        assertThat(store.blockedItems()).containsExactly("switch\n" + K_SOURCE_KEY);
    }

    // b. Redrive after the fix

    @Test
    void aRedriveAfterTheFixAppliesTheParkedChangesOnceInStreamOrder() {
        List<ChangeEvent> batch = parkK(new EngineCounters());
        projection.fix();

        RedriveResult result = letters().redrive(null);

        assertThat(result).isEqualTo(new RedriveResult(3, 0, 0, 0));
        assertThat(copy(K)).as("K's copy is its last change").contains("k3");
        assertThat(changes(K)).isEqualTo(3);
        assertThat(total()).isEqualTo(6);
        assertThat(letters().list(null)).isEmpty();
        assertThat(store.blockedItems()).isEmpty();
        // The watermark is not the re-drive's business.
        assertThat(watermarks.load(SHARD, List.of("switch"))).isEqualTo(Map.of("switch", last(batch)));

        Map<String, AttributeValue> copyBefore = TestDynamo.get(t.readModel(), "COPY#" + K, "COPY");
        Map<String, AttributeValue> countBefore = TestDynamo.get(t.readModel(), "COUNT#" + K, "COUNT");
        assertThat(letters().redrive(null)).isEqualTo(new RedriveResult(0, 0, 0, 0));
        assertThat(letters().redrive("switch")).isEqualTo(new RedriveResult(0, 0, 0, 0));
        assertThat(TestDynamo.get(t.readModel(), "COPY#" + K, "COPY")).isEqualTo(copyBefore);
        assertThat(TestDynamo.get(t.readModel(), "COUNT#" + K, "COUNT")).isEqualTo(countBefore);
        assertThat(total()).isEqualTo(6);
    }

    @Test
    void aRedriveThatFailsHalfWayResumesWhereItStopped() {
        parkK(new EngineCounters());
        // Fixed for the insert, still broken for the first modify.
        projection.brokenFor.set(item -> "k2".equals(item.string("value")));
        projection.failure.set("k2 still trips it");

        assertThat(letters().redrive(null)).isEqualTo(new RedriveResult(1, 1, 1, 0));
        assertThat(copy(K)).contains("k1");
        assertThat(changes(K)).isEqualTo(1);
        List<DeadLetter> left = letters().list("switch");
        assertThat(left).hasSize(2);
        assertThat(left.get(0).event().orElseThrow().newImage().orElseThrow().string("value")).isEqualTo("k2");
        assertThat(left.get(0).reason()).contains("k2 still trips it");
        assertThat(left.get(0).errorType()).isEqualTo("RedriveFailed");
        assertThat(left.get(0).attempts()).as("a waits-behind letter's first attempt").isEqualTo(1);
        assertThat(left.get(1).errorType()).isEqualTo("waits-behind");

        projection.fix();
        assertThat(letters().redrive(null)).isEqualTo(new RedriveResult(2, 0, 0, 0));
        assertThat(copy(K)).contains("k3");
        assertThat(changes(K)).isEqualTo(3);
        assertThat(total()).isEqualTo(6);
        assertThat(letters().list(null)).isEmpty();
    }

    @Test
    void aDeadLetterRedrivenConcurrentlyByAnotherRedriveIsAppliedOnlyOnce() {
        parkK(new EngineCounters());
        projection.fix();
        // While this re-drive projects K's first change, another re-drive runs to completion.
        DeadLetters other = letters();
        AtomicReference<RedriveResult> otherResult = new AtomicReference<>();
        projection.onProject.set(() -> otherResult.set(other.redrive(null)));

        letters().redrive(null);

        assertThat(otherResult.get()).isEqualTo(new RedriveResult(3, 0, 0, 0));
        assertThat(copy(K)).contains("k3");
        assertThat(changes(K)).as("each change applied once").isEqualTo(3);
        assertThat(total()).isEqualTo(6);
        assertThat(letters().list(null)).isEmpty();
    }

    // c. Redrive that fails again

    @Test
    void aRedriveThatFailsAgainUpdatesTheReasonAndKeepsTheLaterChangesParked() {
        parkK(new EngineCounters());
        projection.failure.set("still broken after the deploy");

        RedriveResult result = letters().redrive(null);

        assertThat(result).isEqualTo(new RedriveResult(0, 1, 2, 0));
        List<DeadLetter> parked = letters().list("switch");
        assertThat(parked).hasSize(3);
        DeadLetter first = parked.get(0);
        assertThat(first.attempts()).isEqualTo(2);
        assertThat(first.reason()).contains("still broken after the deploy").doesNotContain("the fragile part is broken");
        assertThat(first.errorType()).isEqualTo("RedriveFailed");
        assertThat(parked.subList(1, 3)).allSatisfy(d -> {
            assertThat(d.errorType()).isEqualTo("waits-behind");
            assertThat(d.attempts()).isZero();
        });
        assertThat(copy(K)).isEmpty();
        assertThat(TestDynamo.get(t.readModel(), "COUNT#" + K, "COUNT")).isEmpty();
        assertThat(total()).isEqualTo(3);

        assertThat(letters().redrive("switch")).isEqualTo(new RedriveResult(0, 1, 2, 0));
        assertThat(letters().get(first.sortKey()).orElseThrow().attempts()).isEqualTo(3);
    }

    // d. Purge

    @Test
    void purgeRemovesDeadLettersForGood() {
        parkK(new EngineCounters());
        DeadLetters letters = letters();
        String firstKey = letters.list("switch").get(0).sortKey();
        assertThat(firstKey).startsWith("switch#" + SHARD + "#");

        assertThat(letters.purge("other-projection")).isZero();
        assertThat(letters.purgeOne(firstKey)).isTrue();
        assertThat(letters.get(firstKey)).isEmpty();
        assertThat(letters.purgeOne(firstKey)).isFalse();
        assertThat(letters.list("switch")).hasSize(2);

        assertThat(letters.purge("switch")).isEqualTo(2);
        assertThat(letters.list(null)).isEmpty();
        assertThat(letters.purge(null)).isZero();
        assertThat(letters.redrive(null)).isEqualTo(new RedriveResult(0, 0, 0, 0));
        assertThat(copy(K)).isEmpty();
        assertThat(store.blockedItems()).isEmpty();
    }

    // e. A new change of a parked item waits behind it, also on a shard processor started later

    @Test
    void aNewChangeOfAnItemWithParkedChangesIsParkedBehindThemAfterARestart() {
        parkK(new EngineCounters());
        projection.fix();

        // A new processor of the shard (a restart, or another worker that took the lease) loads the parked items.
        EngineCounters counters = new EngineCounters();
        ShardProjector restarted = projector(counters, projection);
        restarted.initialize();
        ChangeEvent k4 = source.modify(K, "k4");
        ChangeEvent o3 = source.insert("O3", "o3", false);
        restarted.process(List.of(k4, o3));

        assertThat(counters.parked.sum()).isEqualTo(1);
        List<DeadLetter> parked = letters().list("switch");
        assertThat(parked).hasSize(4);
        assertThat(parked.get(3).event().orElseThrow().sequenceNumber()).isEqualTo(k4.sequenceNumber());
        assertThat(parked.get(3).errorType()).isEqualTo("waits-behind");
        assertThat(copy(K)).isEmpty();
        assertThat(copy("O3")).contains("o3");
        assertThat(watermarks.load(SHARD, List.of("switch"))).isEqualTo(Map.of("switch", o3.sequenceNumber()));

        assertThat(letters().redrive(null)).isEqualTo(new RedriveResult(4, 0, 0, 0));
        assertThat(copy(K)).contains("k4");
        assertThat(changes(K)).isEqualTo(4);
    }

    @Test
    void aRunningShardStopsHoldingBackAnItemOnceARedriveEmptiedTheStore() {
        EngineCounters counters = new EngineCounters();
        ShardProjector running = projector(counters, projection);
        running.initialize();
        running.process(kBatch());
        projection.fix();
        assertThat(letters().redrive(null).redriven()).isEqualTo(3);

        // The shard re-reads the store at least every 10 s; after that, K's changes are projected again.
        clock.advance(Duration.ofSeconds(11));
        ChangeEvent k4 = source.modify(K, "k4");
        running.process(List.of(k4));

        assertThat(counters.parked.sum()).isEqualTo(3);
        assertThat(letters().list(null)).isEmpty();
        assertThat(copy(K)).contains("k4");
        assertThat(changes(K)).isEqualTo(4);
        assertThat(watermarks.load(SHARD, List.of("switch"))).isEqualTo(Map.of("switch", k4.sequenceNumber()));
    }

    @Test
    void aShardLooksAgainBeforeParkingAChangeBehindAnItemARedriveJustEmptied() {
        EngineCounters counters = new EngineCounters();
        ShardProjector running = projector(counters, projection);
        running.initialize();
        running.process(kBatch());
        projection.fix();
        assertThat(letters().redrive(null).redriven()).isEqualTo(3);

        // Well inside the 10 s refresh, but past the 1 s re-check: the shard looks before parking.
        clock.advance(Duration.ofMillis(1_500));
        ChangeEvent k4 = source.modify(K, "k4");
        running.process(List.of(k4));

        assertThat(counters.parked.sum()).isEqualTo(3);
        assertThat(letters().list(null)).isEmpty();
        assertThat(copy(K)).contains("k4");
    }

    // f. HALT policy

    @Test
    void underTheHaltPolicyAFailingChangeStopsTheShardAndNothingIsParked() {
        SwitchProjection halting = new SwitchProjection("halting", FailurePolicy.HALT);
        EngineCounters counters = new EngineCounters();
        ShardProjector shard = projector(counters, halting);
        shard.initialize();
        ChangeEvent first = source.insert("H1", "h1", false);
        shard.process(List.of(first));
        assertThat(watermarks.load(SHARD, List.of("halting"))).isEqualTo(Map.of("halting", first.sequenceNumber()));

        ChangeEvent good = source.insert("H2", "h2", false);
        ChangeEvent bad = source.insert(K, "k1", true);
        ChangeEvent after = source.insert("H3", "h3", false);
        List<ChangeEvent> batch = List.of(good, bad, after);

        assertThatThrownBy(() -> shard.process(batch))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("projection 'halting'")
                .hasMessageContaining("sequence number " + bad.sequenceNumber())
                .hasMessageContaining("the fragile part is broken")
                .hasMessageContaining("policy: halt")
                .satisfies(e -> {
                    ProjectionFailedException f = (ProjectionFailedException) e;
                    assertThat(f.projection()).isEqualTo("halting");
                    assertThat(f.event().sequenceNumber()).isEqualTo(bad.sequenceNumber());
                });

        assertThat(store.list(null)).isEmpty();
        assertThat(counters.parked.sum()).isZero();
        assertThat(watermarks.load(SHARD, List.of("halting"))).isEqualTo(Map.of("halting", first.sequenceNumber()));
        assertThat(copy("H1")).contains("h1");
        assertThat(copy("H2")).as("nothing of the failed batch is applied").isEmpty();
        assertThat(copy("H3")).isEmpty();
        assertThat(total()).isEqualTo(1);

        // Fixed and restarted, the shard resumes at the failed batch.
        halting.fix();
        ShardProjector restarted = projector(new EngineCounters(), halting);
        restarted.initialize();
        restarted.process(batch);
        assertThat(copy(K)).contains("k1");
        assertThat(copy("H3")).contains("h3");
        assertThat(total()).isEqualTo(4);
        assertThat(watermarks.load(SHARD, List.of("halting"))).isEqualTo(Map.of("halting", after.sequenceNumber()));
        assertThat(store.list(null)).isEmpty();
    }

    // g. Two processors of one shard

    @Test
    void aProcessorThatFindsItsChunkAppliedByAnotherLearnsWhatTheOtherParkedBeforeItReplans() {
        projection.brokenFor.set(item -> "k1".equals(item.string("value")));
        // The new owner (a stolen lease, the KCL's hand-off timeout, a replay) starts while K has nothing parked.
        ShardProjector newOwner = projector(new EngineCounters(), projection);
        newOwner.initialize();
        ChangeEvent k1 = source.insert(K, "k1", false);
        ChangeEvent k2 = source.modify(K, "k2");
        // The old owner parks K's insert ...
        ShardProjector oldOwner = projector(new EngineCounters(), projection);
        oldOwner.initialize();
        oldOwner.process(List.of(k1));
        assertThat(store.blockedItems()).containsExactly("switch\n" + K_SOURCE_KEY);

        // ... and the new owner, finding k1 done, must not apply K's modify ahead of it.
        newOwner.process(List.of(k1, k2));

        assertThat(copy(K)).as("K's later change waits behind its parked insert").isEmpty();
        assertThat(letters().list("switch")).extracting(d -> d.event().orElseThrow().sequenceNumber())
                .containsExactly(k1.sequenceNumber(), k2.sequenceNumber());
        assertThat(watermarks.load(SHARD, List.of("switch"))).isEqualTo(Map.of("switch", k2.sequenceNumber()));
        projection.fix();
        assertThat(letters().redrive(null)).isEqualTo(new RedriveResult(2, 0, 0, 0));
        assertThat(copy(K)).as("the re-drive leaves K at its last change").contains("k2");
        assertThat(changes(K)).isEqualTo(2);
    }

    // ---

    /** K's insert and two modifies interleaved with other items: O1 insert, K insert, O2 insert, K modify, O1 modify, K modify. */
    private List<ChangeEvent> kBatch() {
        List<ChangeEvent> batch = new ArrayList<>();
        batch.add(source.insert("O1", "o1", false));
        batch.add(source.insert(K, "k1", true));
        batch.add(source.insert("O2", "o2", false));
        batch.add(source.modify(K, "k2"));
        batch.add(source.modify("O1", "o1b"));
        batch.add(source.modify(K, "k3"));
        return batch;
    }

    /** Processes {@link #kBatch()} with the projection broken for K, on a fresh processor of the shard. */
    private List<ChangeEvent> parkK(EngineCounters counters) {
        ShardProjector shard = projector(counters, projection);
        shard.initialize();
        List<ChangeEvent> batch = kBatch();
        shard.process(batch);
        return batch;
    }

    private ShardProjector projector(EngineCounters counters, Projection p) {
        return new ShardProjector(SHARD, List.of(p.name()), new ChunkPlanner(List.of(p), TransactionLimits.DYNAMODB),
                committer, watermarks, store, retry, breaker, counters, () -> false, clock);
    }

    private DeadLetters letters() {
        return new DeadLetters(dynamo, t.readModel(), t.application(), List.of(projection));
    }

    private Optional<String> copy(String id) {
        Map<String, AttributeValue> item = TestDynamo.get(t.readModel(), "COPY#" + id, "COPY");
        return item.isEmpty() ? Optional.empty() : Optional.of(item.get("value").s());
    }

    private long changes(String id) {
        return Long.parseLong(TestDynamo.get(t.readModel(), "COUNT#" + id, "COUNT").get("changes").n());
    }

    private long total() {
        Map<String, AttributeValue> item = TestDynamo.get(t.readModel(), "STATS", "ALL");
        return item.isEmpty() ? 0 : Long.parseLong(item.get("changes").n());
    }

    private static SequenceNumber last(List<ChangeEvent> events) {
        return events.get(events.size() - 1).sequenceNumber();
    }

    /**
     * Copies each {@code Thing} (its {@code value}), counts its changes, and counts all changes;
     * while broken, it throws for the items its predicate picks (by default those with {@code fragile}).
     */
    static final class SwitchProjection implements Projection {
        private static final Predicate<Item> FRAGILE = item -> item.has("fragile");

        final AtomicReference<Predicate<Item>> brokenFor = new AtomicReference<>(FRAGILE);
        final AtomicReference<String> failure = new AtomicReference<>("the fragile part is broken");
        /** Runs once, on the next call of project(). */
        final AtomicReference<Runnable> onProject = new AtomicReference<>();
        private final String name;
        private final FailurePolicy policy;

        SwitchProjection(String name, FailurePolicy policy) {
            this.name = name;
            this.policy = policy;
        }

        void fix() {
            brokenFor.set(item -> false);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> entityTypes() {
            return Set.of("Thing");
        }

        @Override
        public FailurePolicy failurePolicy() {
            return policy;
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            Runnable hook = onProject.getAndSet(null);
            if (hook != null) {
                hook.run();
            }
            Item item = event.latestImage();
            if (brokenFor.get().test(item)) {
                throw new IllegalStateException(failure.get());
            }
            String id = item.string("PK");
            List<Write> writes = new ArrayList<>();
            writes.add(event.newImage().isPresent()
                    ? Write.put("COPY#" + id, "COPY").with("value", item.string("value"))
                    : Write.delete("COPY#" + id, "COPY"));
            writes.add(Write.increment("COUNT#" + id, "COUNT", "changes", 1));
            writes.add(Write.increment("STATS", "ALL", "changes", 1));
            return writes;
        }
    }

    /** The source table as the stream shows it: each change with the right images and the next sequence number. */
    private static final class Source {
        private final Map<String, Item> items = new HashMap<>();
        private long seq = 4_100_000_000_000_000_000L;

        ChangeEvent insert(String id, String value, boolean fragile) {
            Map<String, AttributeValue> image = new HashMap<>(Map.of(
                    "PK", AttributeValue.fromS(id), "SK", AttributeValue.fromS("THING"),
                    "type", AttributeValue.fromS("Thing"), "value", AttributeValue.fromS(value)));
            if (fragile) {
                image.put("fragile", AttributeValue.fromBool(true));
            }
            return change(id, Optional.of(image));
        }

        ChangeEvent modify(String id, String value) {
            Map<String, AttributeValue> image = new HashMap<>(items.get(id).asMap());
            image.put("value", AttributeValue.fromS(value));
            return change(id, Optional.of(image));
        }

        private ChangeEvent change(String id, Optional<Map<String, AttributeValue>> newImage) {
            Optional<Item> before = Optional.ofNullable(items.get(id));
            Optional<Item> after = newImage.map(i -> Item.of(i, "new image of " + id));
            Item keys = Item.of(Map.of("PK", AttributeValue.fromS(id), "SK", AttributeValue.fromS("THING")), "keys of PK=" + id);
            ChangeType type = before.isEmpty() ? ChangeType.INSERT : after.isEmpty() ? ChangeType.REMOVE : ChangeType.MODIFY;
            after.ifPresentOrElse(i -> items.put(id, i), () -> items.remove(id));
            seq += 1_000 + (seq % 7);
            return new ChangeEvent(type, keys, before, after, "Thing", SequenceNumber.parse(Long.toString(seq)), Instant.now());
        }
    }

    /** A clock the test moves by hand. */
    private static final class MutableClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
