package io.projector.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.FailurePolicy;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.ProjectionFailedException;
import io.projector.SequenceNumber;
import io.projector.Write;
import io.projector.internal.store.DeadLetterStore;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ChunkPlannerTest {

    private static final TransactionLimits SMALL = new TransactionLimits(10, 100_000);

    /** A projection made of a function, which records the events it was given. */
    private static final class TestProjection implements Projection {
        private final String name;
        private final Set<String> types;
        private final Function<ChangeEvent, List<Write>> fn;
        private final FailurePolicy policy;
        final List<Long> seen = new ArrayList<>();

        TestProjection(String name, Set<String> types, Function<ChangeEvent, List<Write>> fn) {
            this(name, types, fn, FailurePolicy.DEAD_LETTER);
        }

        TestProjection(String name, Set<String> types, Function<ChangeEvent, List<Write>> fn, FailurePolicy policy) {
            this.name = name;
            this.types = types;
            this.fn = fn;
            this.policy = policy;
        }

        @Override
        public FailurePolicy failurePolicy() {
            return policy;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> entityTypes() {
            return types;
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            seen.add(event.sequenceNumber().value().longValueExact());
            return fn.apply(event);
        }
    }

    /** An INSERT of source item {@code id} of the given entity type. */
    private static ChangeEvent insert(long seq, String entityType, String id) {
        Map<String, AttributeValue> keys = Map.of("PK", AttributeValue.fromS(id), "SK", AttributeValue.fromS("A"));
        Map<String, AttributeValue> image = Map.of("PK", AttributeValue.fromS(id), "SK", AttributeValue.fromS("A"),
                "type", AttributeValue.fromS(entityType));
        return new ChangeEvent(ChangeType.INSERT, Item.of(keys), Optional.empty(), Optional.of(Item.of(image)),
                entityType, SequenceNumber.of(seq), Instant.EPOCH);
    }

    /** A change of source item {@code id} (key PK=id, SK=A); the images carry the sequence number. */
    private static ChangeEvent change(long seq, ChangeType type, String entityType, String id) {
        Map<String, AttributeValue> keys = Map.of("PK", AttributeValue.fromS(id), "SK", AttributeValue.fromS("A"));
        Item image = Item.of(Map.of("PK", AttributeValue.fromS(id), "SK", AttributeValue.fromS("A"),
                "type", AttributeValue.fromS(entityType), "v", AttributeValue.fromN(Long.toString(seq))));
        return new ChangeEvent(type, Item.of(keys), type == ChangeType.INSERT ? Optional.empty() : Optional.of(image),
                type == ChangeType.REMOVE ? Optional.empty() : Optional.of(image), entityType, SequenceNumber.of(seq), Instant.EPOCH);
    }

    private static String sourceKey(String id) {
        return SourceKeys.of(Map.of("PK", AttributeValue.fromS(id), "SK", AttributeValue.fromS("A")));
    }

    private static List<ChangeEvent> inserts(String entityType, long... seqs) {
        List<ChangeEvent> out = new ArrayList<>();
        for (long s : seqs) {
            out.add(insert(s, entityType, "ID" + s));
        }
        return out;
    }

    /** Copies each source item to COPY#id (one write per event). */
    private static TestProjection copier(String name, Set<String> types) {
        return new TestProjection(name, types, e -> List.of(
                Write.put("COPY#" + name + "#" + e.keys().string("PK"), "COPY").with("type", e.entityType())));
    }

    private static List<Long> seqs(Chunk chunk) {
        return chunk.events().stream().map(e -> e.sequenceNumber().value().longValueExact()).toList();
    }

    private static SequenceNumber seq(long n) {
        return SequenceNumber.of(n);
    }

    private static List<ParkedChange> parked(List<Chunk> chunks) {
        return chunks.stream().flatMap(c -> c.parked().stream()).toList();
    }

    private static long seqOf(ParkedChange c) {
        return c.event().sequenceNumber().value().longValueExact();
    }

    /** Adds one to COUNT#<name>#<source id> per event: every change of an item shows in its counter. */
    private static TestProjection counter(String name, Set<String> types, Function<ChangeEvent, RuntimeException> failure) {
        return new TestProjection(name, types, e -> {
            RuntimeException fail = failure.apply(e);
            if (fail != null) {
                throw fail;
            }
            return List.of(Write.increment("COUNT#" + name + "#" + e.keys().string("PK"), "N", "n", 1));
        });
    }

    /** The chunks' mutations applied in order to an empty read model. */
    private static InMemoryReadModel applied(List<Chunk> chunks) {
        InMemoryReadModel model = new InMemoryReadModel();
        chunks.forEach(c -> c.mutations().values().forEach(model::apply));
        return model;
    }

    /** Attribute {@code n} of COUNT#<projection>#<id> after the chunks, or null when the item was never written. */
    private static BigDecimal count(List<Chunk> chunks, String projection, String id) {
        Map<String, AttributeValue> item = applied(chunks).get(ItemKey.of("COUNT#" + projection + "#" + id, "N"));
        return item == null ? null : new BigDecimal(item.get("n").n());
    }

    // --- routing and watermarks ---

    @Test
    void eventsAreRoutedByEntityType() {
        TestProjection orders = copier("orders", Set.of("Order"));
        TestProjection likes = copier("likes", Set.of("Like"));
        TestProjection both = copier("both", Set.of("Order", "Like"));
        List<ChangeEvent> events = List.of(
                insert(1, "Order", "O1"), insert(2, "Like", "L1"), insert(3, "Customer", "C1"), insert(4, "", "X1"), insert(5, "Order", "O2"));

        List<Chunk> chunks = new ChunkPlanner(List.of(orders, likes, both), TransactionLimits.DYNAMODB).plan(events, Map.of());

        assertThat(orders.seen).containsExactly(1L, 5L);
        assertThat(likes.seen).containsExactly(2L);
        assertThat(both.seen).containsExactly(1L, 2L, 5L);
        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).mutations().keySet()).containsExactlyInAnyOrder(
                ItemKey.of("COPY#orders#O1", "COPY"), ItemKey.of("COPY#orders#O2", "COPY"),
                ItemKey.of("COPY#likes#L1", "COPY"),
                ItemKey.of("COPY#both#O1", "COPY"), ItemKey.of("COPY#both#L1", "COPY"), ItemKey.of("COPY#both#O2", "COPY"));
        assertThat(seqs(chunks.get(0))).as("the chunk covers events no projection wanted too").containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void eventsAtOrBelowAWatermarkAreNotGivenToThatProjection() {
        TestProjection behind = copier("behind", Set.of("Order"));
        TestProjection fresh = copier("fresh", Set.of("Order"));
        List<ChangeEvent> events = inserts("Order", 10, 11, 12, 13);

        List<Chunk> chunks = new ChunkPlanner(List.of(behind, fresh), SMALL).plan(events, Map.of("behind", seq(11)));

        assertThat(behind.seen).containsExactly(12L, 13L);
        assertThat(fresh.seen).containsExactly(10L, 11L, 12L, 13L);
        assertThat(chunks).hasSize(1);
        Chunk chunk = chunks.get(0);
        assertThat(chunk.watermarks()).containsOnlyKeys("behind", "fresh");
        assertThat(chunk.watermarks().get("behind")).isEqualTo(new WatermarkAdvance("behind", seq(12), seq(13)));
        assertThat(chunk.watermarks().get("fresh")).isEqualTo(new WatermarkAdvance("fresh", seq(10), seq(13)));
        assertThat(chunk.mutations().keySet()).doesNotContain(
                ItemKey.of("COPY#behind#ID10", "COPY"), ItemKey.of("COPY#behind#ID11", "COPY"));
    }

    @Test
    void watermarkAdvanceRunsFromTheFirstAppliedEventToTheChunksLastEvent() {
        // writes only for the first event it sees; the chunk still moves its watermark to the chunk's end
        TestProjection once = new TestProjection("once", Set.of("Order"),
                e -> e.sequenceNumber().equals(seq(21)) ? List.of(Write.increment("STATS", "ALL", "n", 1)) : List.of());
        List<ChangeEvent> events = new ArrayList<>(inserts("Order", 20, 21, 22));
        events.add(insert(23, "Other", "X"));

        List<Chunk> chunks = new ChunkPlanner(List.of(once), SMALL).plan(events, Map.of());

        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).watermarks().get("once")).isEqualTo(new WatermarkAdvance("once", seq(21), seq(23)));
        assertThat(chunks.get(0).lastEvent().sequenceNumber()).isEqualTo(seq(23));
    }

    @Test
    void aProjectionWhollyBehindItsWatermarkGetsNoWatermarkMove() {
        TestProjection done = copier("done", Set.of("Order"));

        List<Chunk> chunks = new ChunkPlanner(List.of(done), SMALL).plan(inserts("Order", 1, 2, 3), Map.of("done", seq(3)));

        assertThat(done.seen).isEmpty();
        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).hasWrites()).isFalse();
        assertThat(chunks.get(0).watermarks()).isEmpty();
        assertThat(chunks.get(0).actionCount()).isZero();
        assertThat(seqs(chunks.get(0))).containsExactly(1L, 2L, 3L);
    }

    @Test
    void watermarkComparesSequenceNumbersAsNumbers() {
        TestProjection p = copier("p", Set.of("Order"));
        // watermark 9 is below 10 even though "9" > "10" as strings
        new ChunkPlanner(List.of(p), SMALL).plan(inserts("Order", 9, 10, 11), Map.of("p", seq(9)));
        assertThat(p.seen).containsExactly(10L, 11L);
    }

    @Test
    void noEventsMeanNoChunks() {
        assertThat(new ChunkPlanner(List.of(copier("p", Set.of("Order"))), SMALL).plan(List.of(), Map.of())).isEmpty();
    }

    // --- failures ---

    @Test
    void aThrowingProjectionsChangeIsParkedAfterItsAttemptsWhileOtherProjectionsWritesAreKept() {
        IllegalStateException boom = new IllegalStateException("boom: no customer");
        TestProjection bad = new TestProjection("order-history", Set.of("Order"), e -> {
            if (e.sequenceNumber().equals(seq(102))) {
                throw boom;
            }
            return List.of();
        });
        TestProjection other = copier("other", Set.of("Order"));

        List<Chunk> chunks = new ChunkPlanner(List.of(bad, other), SMALL).plan(inserts("Order", 101, 102, 103), Map.of());

        assertThat(chunks).hasSize(1);
        Chunk chunk = chunks.get(0);
        assertThat(chunk.parked()).hasSize(1);
        ParkedChange parked = chunk.parked().get(0);
        assertThat(parked.projection()).isEqualTo("order-history");
        assertThat(parked.event().sequenceNumber()).isEqualTo(seq(102));
        assertThat(parked.errorType()).isEqualTo("IllegalStateException");
        assertThat(parked.reason()).contains("IllegalStateException").contains("boom: no customer");
        assertThat(bad.seen).as("called %d times on the failing change, once on the others", ChunkPlanner.PROJECTION_ATTEMPTS)
                .containsExactly(101L, 102L, 102L, 102L, 103L);
        assertThat(chunk.mutations()).as("the other projection's writes, for the failing event too, are kept").containsOnlyKeys(
                ItemKey.of("COPY#other#ID101", "COPY"), ItemKey.of("COPY#other#ID102", "COPY"), ItemKey.of("COPY#other#ID103", "COPY"));
        assertThat(chunk.watermarks().get("order-history"))
                .as("the parked projection's watermark moves past its parked change")
                .isEqualTo(new WatermarkAdvance("order-history", seq(102), seq(103)));
        assertThat(chunk.watermarks().get("other")).isEqualTo(new WatermarkAdvance("other", seq(101), seq(103)));
        assertThat(chunk.actionCount()).isEqualTo(3 + 2 + 1);
    }

    @Test
    void underTheHaltPolicyAThrowingProjectionStopsThePlanNamingProjectionAndSequenceNumber() {
        TestProjection bad = new TestProjection("order-history", Set.of("Order"), e -> {
            if (e.sequenceNumber().equals(seq(102))) {
                throw new IllegalStateException("boom: no customer");
            }
            return List.of();
        }, FailurePolicy.HALT);
        TestProjection other = copier("other", Set.of("Order"));

        assertThatThrownBy(() -> new ChunkPlanner(List.of(bad, other), SMALL).plan(inserts("Order", 101, 102, 103), Map.of()))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("'order-history'")
                .hasMessageContaining("sequence number 102")
                .hasMessageContaining("boom: no customer")
                .hasMessageContaining("(policy: halt)")
                .satisfies(t -> {
                    ProjectionFailedException pfe = (ProjectionFailedException) t;
                    assertThat(pfe.projection()).isEqualTo("order-history");
                    assertThat(pfe.event().sequenceNumber()).isEqualTo(seq(102));
                });
        assertThat(bad.seen).as("retried before halting").containsExactly(101L, 102L, 102L, 102L);
    }

    @Test
    void underTheHaltPolicyEveryKindOfParkingStopsThePlan() {
        TestProjection wide = new TestProjection("wide", Set.of("Order"),
                e -> IntStream.range(0, 10).mapToObj(i -> (Write) Write.delete("WIDE", "N#" + i)).toList(), FailurePolicy.HALT);
        assertThatThrownBy(() -> new ChunkPlanner(List.of(wide), SMALL).plan(inserts("Order", 4), Map.of()))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("'wide'")
                .hasMessageContaining("sequence number 4")
                .hasMessageContaining("11 transaction actions")
                .hasMessageContaining("(policy: halt)");

        TestProjection sneaky = new TestProjection("sneaky", Set.of("Order"),
                e -> List.of(Write.put(EngineKeys.RESERVED_PREFIX + "X", "Y")), FailurePolicy.HALT);
        assertThatThrownBy(() -> new ChunkPlanner(List.of(sneaky), SMALL).plan(inserts("Order", 5), Map.of()))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("'sneaky'")
                .hasMessageContaining("reserved")
                .hasMessageContaining("(policy: halt)");

        TestProjection refused = new TestProjection("refused", Set.of("Order"), e -> List.of(Write.delete("R", "R")), FailurePolicy.HALT);
        ChunkPlanner planner = new ChunkPlanner(List.of(refused), SMALL);
        ParkingLot lot = ParkingLot.empty();
        lot.force("refused", seq(6), "the transaction was refused");
        assertThatThrownBy(() -> planner.plan(inserts("Order", 6), Map.of(), lot, null))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("'refused'")
                .hasMessageContaining("sequence number 6")
                .hasMessageContaining("the transaction was refused")
                .hasMessageContaining("(policy: halt)");
        assertThat(refused.seen).isEmpty();
    }

    @Test
    void aProjectionThatFailsOnlyOnItsFirstCallIsRetriedAndNotParked() {
        AtomicInteger calls = new AtomicInteger();
        TestProjection flaky = new TestProjection("flaky", Set.of("Order"), e -> {
            if (calls.getAndIncrement() == 0) {
                throw new IllegalStateException("a passing glitch");
            }
            return List.of(Write.put("COPY#" + e.keys().string("PK"), "COPY").with("ok", true));
        });

        List<Chunk> chunks = new ChunkPlanner(List.of(flaky), SMALL).plan(inserts("Order", 1, 2), Map.of());

        assertThat(parked(chunks)).isEmpty();
        assertThat(flaky.seen).containsExactly(1L, 1L, 2L);
        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).mutations()).containsOnlyKeys(ItemKey.of("COPY#ID1", "COPY"), ItemKey.of("COPY#ID2", "COPY"));
        assertThat(chunks.get(0).watermarks().get("flaky")).isEqualTo(new WatermarkAdvance("flaky", seq(1), seq(2)));
    }

    @Test
    void aProjectionReturningNullIsParked() {
        TestProjection nullList = new TestProjection("nulls", Set.of("Order"), e -> null);
        TestProjection other = copier("other", Set.of("Order"));

        List<Chunk> chunks = new ChunkPlanner(List.of(nullList, other), SMALL).plan(inserts("Order", 1), Map.of());

        assertThat(parked(chunks)).extracting(ParkedChange::projection, ChunkPlannerTest::seqOf)
                .containsExactly(tuple("nulls", 1L));
        assertThat(parked(chunks).get(0).reason()).contains("returned null");
        assertThat(chunks.get(0).mutations()).containsOnlyKeys(ItemKey.of("COPY#other#ID1", "COPY"));
        assertThat(chunks.get(0).watermarks()).containsEntry("nulls", new WatermarkAdvance("nulls", seq(1), seq(1)));

        List<Write> withNull = new ArrayList<>();
        withNull.add(Write.delete("FINE", "F"));
        withNull.add(null);
        TestProjection nullWrite = new TestProjection("null-write", Set.of("Order"), e -> withNull);

        chunks = new ChunkPlanner(List.of(nullWrite, other), SMALL).plan(inserts("Order", 1), Map.of());

        assertThat(parked(chunks)).extracting(ParkedChange::projection, ChunkPlannerTest::seqOf)
                .containsExactly(tuple("null-write", 1L));
        assertThat(parked(chunks).get(0).reason()).contains("null write");
        assertThat(chunks.get(0).mutations()).as("none of the parked projection's writes for that change, not even the good one")
                .containsOnlyKeys(ItemKey.of("COPY#other#ID1", "COPY"));
        assertThat(chunks.get(0).watermarks()).containsEntry("null-write", new WatermarkAdvance("null-write", seq(1), seq(1)));
    }

    @Test
    void writesToTheEnginesReservedKeysAreParked() {
        TestProjection sneaky = new TestProjection("sneaky", Set.of("Order"),
                e -> List.of(Write.put(EngineKeys.RESERVED_PREFIX + "WATERMARK", "shard-1").with("x", 1)));
        TestProjection other = copier("other", Set.of("Order"));

        List<Chunk> chunks = new ChunkPlanner(List.of(sneaky, other), SMALL).plan(inserts("Order", 7), Map.of());

        assertThat(chunks).hasSize(1);
        Chunk chunk = chunks.get(0);
        assertThat(chunk.parked()).extracting(ParkedChange::projection, ChunkPlannerTest::seqOf).containsExactly(tuple("sneaky", 7L));
        assertThat(chunk.parked().get(0).reason()).contains("PROJECTOR#WATERMARK | shard-1").contains("reserved");
        assertThat(chunk.mutations()).containsOnlyKeys(ItemKey.of("COPY#other#ID7", "COPY"));
        assertThat(chunk.mutations().keySet()).noneMatch(k -> k.pk().startsWith(EngineKeys.RESERVED_PREFIX));
        assertThat(chunk.watermarks()).containsEntry("sneaky", new WatermarkAdvance("sneaky", seq(7), seq(7)));
    }

    @Test
    void reservedPrefixOnlyCountsAtTheStartOfThePartitionKey() {
        TestProjection fine = new TestProjection("fine", Set.of("Order"),
                e -> List.of(Write.put("X#PROJECTOR#1", "PROJECTOR#").with("x", 1)));

        List<Chunk> chunks = new ChunkPlanner(List.of(fine), SMALL).plan(inserts("Order", 7), Map.of());

        assertThat(chunks.get(0).mutations()).containsOnlyKeys(ItemKey.of("X#PROJECTOR#1", "PROJECTOR#"));
    }

    @Test
    void eventsOutOfStreamOrderAreRejected() {
        ChunkPlanner planner = new ChunkPlanner(List.of(copier("p", Set.of("Order"))), SMALL);

        assertThatThrownBy(() -> planner.plan(inserts("Order", 10, 9), Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("out of stream order")
                .hasMessageContaining("9 after 10");
        assertThatThrownBy(() -> planner.plan(inserts("Order", 10, 10), Map.of()))
                .as("a repeated sequence number is out of order too")
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> planner.plan(List.of(insert(5, "Other", "A"), insert(4, "Other", "B")), Map.of()))
                .as("order is checked even for events no projection wants")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anIncrementOfAStringPutByAnEarlierEventIsParkedForTheIncrementingProjection() {
        TestProjection putter = new TestProjection("putter", Set.of("Order"),
                e -> List.of(Write.put("SHARED", "ITEM").with("count", "not a number")));
        TestProjection counter = new TestProjection("counter", Set.of("Like"),
                e -> List.of(Write.increment("SHARED", "ITEM", "count", 1)));
        TestProjection likeCopy = copier("like-copy", Set.of("Like"));
        List<ChangeEvent> events = List.of(insert(1, "Order", "O"), insert(2, "Like", "L"));

        List<Chunk> chunks = new ChunkPlanner(List.of(putter, counter, likeCopy), SMALL).plan(events, Map.of());

        assertThat(chunks).hasSize(1);
        Chunk chunk = chunks.get(0);
        assertThat(chunk.parked()).extracting(ParkedChange::projection, ChunkPlannerTest::seqOf, ParkedChange::errorType)
                .containsExactly(tuple("counter", 2L, "WriteConflict"));
        assertThat(chunk.parked().get(0).reason()).contains("'count'");
        assertThat(chunk.mutations()).containsOnlyKeys(ItemKey.of("SHARED", "ITEM"), ItemKey.of("COPY#like-copy#L", "COPY"));
        assertThat(chunk.mutations().get(ItemKey.of("SHARED", "ITEM"))).as("the put stands; the increment is not folded in")
                .isEqualTo(new ItemMutation.Replace(ItemKey.of("SHARED", "ITEM"), Map.of("count", AttributeValue.fromS("not a number"))));
        assertThat(chunk.watermarks()).containsEntry("counter", new WatermarkAdvance("counter", seq(2), seq(2)))
                .containsEntry("putter", new WatermarkAdvance("putter", seq(1), seq(2)))
                .containsEntry("like-copy", new WatermarkAdvance("like-copy", seq(2), seq(2)));
    }

    // --- parking: later changes of a parked item, the parking lot, and planning for some projections only ---

    @Test
    void laterChangesOfAnItemWithAParkedChangeWaitBehindItWhileOtherItemsFlow() {
        TestProjection copy = counter("copy", Set.of("Order"),
                e -> e.sequenceNumber().equals(seq(2)) ? new IllegalArgumentException("bad order") : null);
        TestProjection audit = counter("audit", Set.of("Order"), e -> null);
        List<ChangeEvent> events = List.of(
                change(1, ChangeType.INSERT, "Order", "A"), change(2, ChangeType.MODIFY, "Order", "A"),
                change(3, ChangeType.INSERT, "Order", "B"), change(4, ChangeType.MODIFY, "Order", "A"),
                change(5, ChangeType.MODIFY, "Order", "B"), change(6, ChangeType.REMOVE, "Order", "A"));

        List<Chunk> chunks = new ChunkPlanner(List.of(copy, audit), SMALL).plan(events, Map.of());

        assertThat(parked(chunks)).extracting(ParkedChange::projection, ChunkPlannerTest::seqOf, ParkedChange::errorType)
                .containsExactly(tuple("copy", 2L, "IllegalArgumentException"),
                        tuple("copy", 4L, ParkedChange.WAITS_BEHIND),
                        tuple("copy", 6L, ParkedChange.WAITS_BEHIND));
        assertThat(parked(chunks).get(1).reason())
                .contains("waits behind an earlier parked change of the same item").contains(sourceKey("A"));
        assertThat(copy.seen).as("a waiting change is not projected").containsExactly(1L, 2L, 2L, 2L, 3L, 5L);
        assertThat(count(chunks, "copy", "A")).as("only the change before the parked one").isEqualByComparingTo("1");
        assertThat(count(chunks, "copy", "B")).as("the other item's changes flow").isEqualByComparingTo("2");
        assertThat(count(chunks, "audit", "A")).as("other projections are not held up").isEqualByComparingTo("4");
        assertThat(count(chunks, "audit", "B")).isEqualByComparingTo("2");
        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).watermarks()).containsEntry("copy", new WatermarkAdvance("copy", seq(1), seq(6)))
                .containsEntry("audit", new WatermarkAdvance("audit", seq(1), seq(6)));
    }

    @Test
    void changesOfAnItemTheParkingLotHasBlockedWaitBehindItsParkedChange() {
        TestProjection copy = counter("copy", Set.of("Order"), e -> null);
        TestProjection audit = counter("audit", Set.of("Order"), e -> null);
        ParkingLot lot = ParkingLot.empty();
        lot.block("copy", sourceKey("A"));
        List<ChangeEvent> events = List.of(
                change(1, ChangeType.MODIFY, "Order", "A"), change(2, ChangeType.MODIFY, "Order", "B"), change(3, ChangeType.MODIFY, "Order", "A"));

        List<Chunk> chunks = new ChunkPlanner(List.of(copy, audit), SMALL).plan(events, Map.of(), lot, null);

        assertThat(parked(chunks)).extracting(ParkedChange::projection, ChunkPlannerTest::seqOf, ParkedChange::errorType)
                .containsExactly(tuple("copy", 1L, ParkedChange.WAITS_BEHIND), tuple("copy", 3L, ParkedChange.WAITS_BEHIND));
        assertThat(copy.seen).containsExactly(2L);
        assertThat(audit.seen).containsExactly(1L, 2L, 3L);
        assertThat(count(chunks, "copy", "A")).isNull();
        assertThat(count(chunks, "copy", "B")).isEqualByComparingTo("1");
        assertThat(count(chunks, "audit", "A")).isEqualByComparingTo("2");
        assertThat(chunks.get(0).watermarks()).containsEntry("copy", new WatermarkAdvance("copy", seq(1), seq(3)));
    }

    @Test
    void aChangeTheParkingLotForcesIsParkedAsRefusedAndLaterChangesOfItsItemWaitBehindIt() {
        TestProjection copy = counter("copy", Set.of("Order"), e -> null);
        TestProjection audit = counter("audit", Set.of("Order"), e -> null);
        ParkingLot lot = ParkingLot.empty();
        lot.force("copy", seq(2), "the transaction refused the write: ValidationException");
        List<ChangeEvent> events = List.of(
                change(1, ChangeType.INSERT, "Order", "A"), change(2, ChangeType.MODIFY, "Order", "A"),
                change(3, ChangeType.INSERT, "Order", "B"), change(4, ChangeType.MODIFY, "Order", "A"));

        List<Chunk> chunks = new ChunkPlanner(List.of(copy, audit), SMALL).plan(events, Map.of(), lot, null);

        assertThat(parked(chunks)).extracting(ParkedChange::projection, ChunkPlannerTest::seqOf, ParkedChange::errorType)
                .containsExactly(tuple("copy", 2L, "WriteRefused"), tuple("copy", 4L, ParkedChange.WAITS_BEHIND));
        assertThat(parked(chunks).get(0).reason()).isEqualTo("the transaction refused the write: ValidationException");
        assertThat(copy.seen).as("a forced change is not projected").containsExactly(1L, 3L);
        assertThat(audit.seen).as("forcing is per projection").containsExactly(1L, 2L, 3L, 4L);
        assertThat(count(chunks, "copy", "A")).isEqualByComparingTo("1");
        assertThat(count(chunks, "copy", "B")).isEqualByComparingTo("1");
        assertThat(chunks.get(0).watermarks()).containsEntry("copy", new WatermarkAdvance("copy", seq(1), seq(4)));
    }

    @Test
    void planningDoesNotChangeTheParkingLotPassedIn() {
        TestProjection copy = counter("copy", Set.of("Order"),
                e -> e.keys().string("PK").equals("C") ? new IllegalStateException("no C") : null);
        ChunkPlanner planner = new ChunkPlanner(List.of(copy), SMALL);
        ParkingLot lot = ParkingLot.empty();
        lot.block("copy", sourceKey("A"));
        lot.force("copy", seq(2), "refused");
        List<ChangeEvent> events = List.of(
                change(1, ChangeType.MODIFY, "Order", "A"), change(2, ChangeType.MODIFY, "Order", "B"),
                change(3, ChangeType.INSERT, "Order", "C"), change(4, ChangeType.MODIFY, "Order", "B"), change(5, ChangeType.MODIFY, "Order", "C"));

        List<Chunk> first = planner.plan(events, Map.of(), lot, null);

        assertThat(parked(first)).extracting(ParkedChange::projection, ChunkPlannerTest::seqOf, ParkedChange::errorType)
                .containsExactly(tuple("copy", 1L, ParkedChange.WAITS_BEHIND), tuple("copy", 2L, "WriteRefused"),
                        tuple("copy", 3L, "IllegalStateException"), tuple("copy", 4L, ParkedChange.WAITS_BEHIND),
                        tuple("copy", 5L, ParkedChange.WAITS_BEHIND));
        assertThat(lot.blockedCount()).isEqualTo(1);
        assertThat(lot.isBlocked("copy", sourceKey("A"))).isTrue();
        assertThat(lot.isBlocked("copy", sourceKey("B"))).isFalse();
        assertThat(lot.isBlocked("copy", sourceKey("C"))).isFalse();
        assertThat(lot.forcedReason("copy", seq(2))).isEqualTo("refused");
        assertThat(planner.plan(events, Map.of(), lot, null)).as("planning again with the same lot plans the same").isEqualTo(first);
    }

    @Test
    void planningForSomeProjectionsOnlyLeavesTheOthersAlone() {
        TestProjection a = copier("a", Set.of("Order"));
        TestProjection b = copier("b", Set.of("Order"));
        TestProjection bad = counter("bad", Set.of("Order"), e -> new IllegalStateException("never"));

        List<Chunk> chunks = new ChunkPlanner(List.of(a, b, bad), SMALL)
                .plan(inserts("Order", 1, 2, 3), Map.of("b", seq(1)), ParkingLot.empty(), Set.of("b"));

        assertThat(a.seen).isEmpty();
        assertThat(bad.seen).isEmpty();
        assertThat(b.seen).as("the watermark still applies").containsExactly(2L, 3L);
        assertThat(parked(chunks)).isEmpty();
        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).mutations()).containsOnlyKeys(ItemKey.of("COPY#b#ID2", "COPY"), ItemKey.of("COPY#b#ID3", "COPY"));
        assertThat(chunks.get(0).watermarks()).containsOnlyKeys("b");
        assertThat(seqs(chunks.get(0))).containsExactly(1L, 2L, 3L);

        List<Chunk> onlyBad = new ChunkPlanner(List.of(a, b, bad), SMALL).plan(inserts("Order", 4), Map.of(), ParkingLot.empty(), Set.of("bad"));
        assertThat(parked(onlyBad)).extracting(ParkedChange::projection).containsExactly("bad");
        assertThat(onlyBad.get(0).mutations()).isEmpty();
        assertThat(onlyBad.get(0).watermarks()).containsOnlyKeys("bad");
    }

    // --- chunking ---

    @Test
    void chunksAreCutBeforeTheyPassTheActionLimit() {
        // three new items per event, plus one watermark per chunk: 3 events make 10 actions
        TestProjection fanOut = new TestProjection("fan", Set.of("Order"), e -> IntStream.range(0, 3)
                .mapToObj(i -> (Write) Write.put("FAN#" + e.sequenceNumber(), "N#" + i).with("i", i)).toList());
        List<ChangeEvent> events = inserts("Order", 1, 2, 3, 4, 5, 6, 7);

        List<Chunk> chunks = new ChunkPlanner(List.of(fanOut), SMALL).plan(events, Map.of());

        assertThat(chunks).extracting(ChunkPlannerTest::seqs)
                .containsExactly(List.of(1L, 2L, 3L), List.of(4L, 5L, 6L), List.of(7L));
        assertThat(chunks).allSatisfy(c -> assertThat(c.actionCount()).isLessThanOrEqualTo(SMALL.maxActions()));
        assertThat(chunks.get(0).actionCount()).isEqualTo(10);
        assertThat(chunks.get(2).actionCount()).isEqualTo(4);
        assertThat(chunks).extracting(c -> c.watermarks().get("fan"))
                .containsExactly(new WatermarkAdvance("fan", seq(1), seq(3)),
                        new WatermarkAdvance("fan", seq(4), seq(6)),
                        new WatermarkAdvance("fan", seq(7), seq(7)));
    }

    @Test
    void eachProjectionsWatermarkCountsAsAnAction() {
        // two projections, each writing one new item per event: 2 items + 2 watermarks for the first
        // event, then 2 more per event: 4, 6, 8, 10 -> four events per chunk
        TestProjection a = copier("a", Set.of("Order"));
        TestProjection b = copier("b", Set.of("Order"));

        List<Chunk> chunks = new ChunkPlanner(List.of(a, b), SMALL).plan(inserts("Order", 1, 2, 3, 4, 5), Map.of());

        assertThat(chunks).extracting(ChunkPlannerTest::seqs).containsExactly(List.of(1L, 2L, 3L, 4L), List.of(5L));
        assertThat(chunks.get(0).actionCount()).isEqualTo(10);
        assertThat(chunks.get(0).watermarks()).containsOnlyKeys("a", "b");
    }

    @Test
    void coalescedWritesDoNotUseUpActions() {
        TestProjection counter = new TestProjection("counter", Set.of("Order"),
                e -> List.of(Write.increment("STATS#ORDERS", "ALL", "count", 1)));
        List<ChangeEvent> events = inserts("Order", IntStream.rangeClosed(1, 50).asLongStream().toArray());

        List<Chunk> chunks = new ChunkPlanner(List.of(counter), SMALL).plan(events, Map.of());

        assertThat(chunks).hasSize(1);
        Chunk chunk = chunks.get(0);
        assertThat(chunk.events()).hasSize(50);
        assertThat(chunk.actionCount()).isEqualTo(2);
        assertThat(chunk.mutations()).containsOnlyKeys(ItemKey.of("STATS#ORDERS", "ALL"));
        ItemMutation.Update u = (ItemMutation.Update) chunk.mutations().get(ItemKey.of("STATS#ORDERS", "ALL"));
        assertThat(u.adds().get("count")).isEqualByComparingTo("50");
    }

    @Test
    void twoWritesToTheSameItemInOneChunkBecomeOneMutation() {
        // two projections on the same item in one event, and a later event on it again
        TestProjection putter = new TestProjection("putter", Set.of("Order"),
                e -> e.sequenceNumber().equals(seq(1)) ? List.of(Write.put("CUSTOMER#1", "PROFILE").with("name", "Ann").with("orders", 0)) : List.of());
        TestProjection counter = new TestProjection("counter", Set.of("Order"),
                e -> List.of(Write.increment("CUSTOMER#1", "PROFILE", "orders", 1)));

        List<Chunk> chunks = new ChunkPlanner(List.of(putter, counter), SMALL).plan(inserts("Order", 1, 2), Map.of());

        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).mutations()).hasSize(1);
        assertThat(chunks.get(0).mutations().get(ItemKey.of("CUSTOMER#1", "PROFILE"))).isEqualTo(new ItemMutation.Replace(
                ItemKey.of("CUSTOMER#1", "PROFILE"), Map.of("name", AttributeValue.fromS("Ann"), "orders", AttributeValue.fromN("2"))));
        assertThat(chunks.get(0).actionCount()).isEqualTo(3);
    }

    @Test
    void anEventWhoseWritesAloneExceedTheActionLimitIsParked() {
        // 10 items + 1 watermark = 11 actions > 10
        TestProjection wide = new TestProjection("wide", Set.of("Order"), e -> e.sequenceNumber().equals(seq(2))
                ? IntStream.range(0, 10).mapToObj(i -> (Write) Write.delete("WIDE", "N#" + i)).toList()
                : List.of(Write.delete("NARROW", "N" + e.sequenceNumber())));
        TestProjection likes = copier("likes", Set.of("Like"));
        List<ChangeEvent> events = List.of(insert(1, "Order", "O1"), insert(2, "Order", "O2"), insert(3, "Like", "L3"), insert(4, "Order", "O4"));

        List<Chunk> chunks = new ChunkPlanner(List.of(wide, likes), SMALL).plan(events, Map.of());

        assertThat(parked(chunks)).extracting(ParkedChange::projection, ChunkPlannerTest::seqOf, ParkedChange::errorType)
                .containsExactly(tuple("wide", 2L, "ProjectionFailedException"));
        assertThat(parked(chunks).get(0).reason()).contains("11 transaction actions").contains("10 actions");
        assertThat(chunks).extracting(ChunkPlannerTest::seqs).containsExactly(List.of(1L), List.of(2L, 3L, 4L));
        Chunk second = chunks.get(1);
        assertThat(second.mutations()).as("none of the parked event's writes; the later events' writes, of both projections")
                .containsOnlyKeys(ItemKey.of("COPY#likes#L3", "COPY"), ItemKey.of("NARROW", "N4"));
        assertThat(second.watermarks()).containsEntry("wide", new WatermarkAdvance("wide", seq(2), seq(4)));
        assertThat(second.actionCount()).isEqualTo(2 + 2 + 1);
    }

    @Test
    void anEventTooBigForOneTransactionIsParkedForEveryProjectionThatWroteInIt() {
        TestProjection wide = new TestProjection("wide", Set.of("Order"),
                e -> IntStream.range(0, 10).mapToObj(i -> (Write) Write.delete("WIDE", "N#" + i)).toList());
        TestProjection narrow = copier("narrow", Set.of("Order"));
        TestProjection quiet = new TestProjection("quiet", Set.of("Order"), e -> List.of());

        List<Chunk> chunks = new ChunkPlanner(List.of(wide, narrow, quiet), SMALL).plan(inserts("Order", 1), Map.of());

        assertThat(parked(chunks)).extracting(ParkedChange::projection, ChunkPlannerTest::seqOf)
                .containsExactly(tuple("wide", 1L), tuple("narrow", 1L));
        assertThat(chunks.get(0).mutations()).isEmpty();
        assertThat(chunks.get(0).watermarks()).containsOnlyKeys("wide", "narrow");
        assertThat(chunks.get(0).actionCount()).isEqualTo(4);
    }

    @Test
    void anEventWithExactlyTheActionLimitFits() {
        // 9 items + 1 watermark = 10 actions
        TestProjection nine = new TestProjection("nine", Set.of("Order"),
                e -> IntStream.range(0, 9).mapToObj(i -> (Write) Write.delete("NINE#" + e.sequenceNumber(), "N#" + i)).toList());

        List<Chunk> chunks = new ChunkPlanner(List.of(nine), SMALL).plan(inserts("Order", 1, 2), Map.of());

        assertThat(chunks).extracting(ChunkPlannerTest::seqs).containsExactly(List.of(1L), List.of(2L));
        assertThat(chunks).allSatisfy(c -> assertThat(c.actionCount()).isEqualTo(10));
    }

    @Test
    void chunksAreCutBeforeTheyPassTheByteLimit() {
        TransactionLimits bytes = new TransactionLimits(100, 2_000);
        String payload = "x".repeat(500);
        TestProjection big = new TestProjection("big", Set.of("Order"),
                e -> List.of(Write.put("BIG#" + e.sequenceNumber(), "B").with("payload", payload)));

        List<Chunk> chunks = new ChunkPlanner(List.of(big), bytes).plan(inserts("Order", 1, 2, 3, 4, 5), Map.of());

        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(chunks.stream().flatMap(c -> c.events().stream()).map(e -> e.sequenceNumber().value().longValueExact()))
                .containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(chunks).allSatisfy(c -> assertThat(c.mutations().values().stream().mapToLong(ChunkPlanner::sizeOf).sum())
                .isLessThanOrEqualTo(bytes.maxBytes()));
        // each put is over 500 bytes, so no chunk can hold four of them
        assertThat(chunks).allSatisfy(c -> assertThat(c.mutations()).hasSizeLessThanOrEqualTo(3));
    }

    @Test
    void anEventWhoseWritesAloneExceedTheByteLimitIsParked() {
        TransactionLimits bytes = new TransactionLimits(100, 2_000);
        TestProjection huge = new TestProjection("huge", Set.of("Order"),
                e -> List.of(Write.put("HUGE", "H").with("payload", "x".repeat(3_000))));
        TestProjection likes = copier("likes", Set.of("Like"));

        List<Chunk> chunks = new ChunkPlanner(List.of(huge, likes), bytes).plan(List.of(insert(1, "Order", "O"), insert(2, "Like", "L")), Map.of());

        assertThat(parked(chunks)).extracting(ParkedChange::projection, ChunkPlannerTest::seqOf, ParkedChange::errorType)
                .containsExactly(tuple("huge", 1L, "ProjectionFailedException"));
        assertThat(parked(chunks).get(0).reason()).contains("bytes").contains("2000 bytes");
        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).mutations()).containsOnlyKeys(ItemKey.of("COPY#likes#L", "COPY"));
        assertThat(chunks.get(0).watermarks()).containsEntry("huge", new WatermarkAdvance("huge", seq(1), seq(2)));
    }

    @Test
    void parkedChangesCountAsActionsAndChunksAreCutForThem() {
        // one parked change per event and one watermark per chunk: 9 events make 10 actions
        TestProjection bad = counter("bad", Set.of("Order"), e -> new IllegalStateException("always"));
        List<ChangeEvent> events = inserts("Order", IntStream.rangeClosed(1, 12).asLongStream().toArray());

        List<Chunk> chunks = new ChunkPlanner(List.of(bad), SMALL).plan(events, Map.of());

        assertThat(chunks).extracting(ChunkPlannerTest::seqs)
                .containsExactly(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), List.of(10L, 11L, 12L));
        assertThat(chunks).extracting(Chunk::actionCount).containsExactly(10, 4);
        assertThat(chunks).extracting(c -> c.parked().size()).containsExactly(9, 3);
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.hasWrites()).isFalse();
            assertThat(c.needsCommit()).isTrue();
        });
        assertThat(chunks).extracting(c -> c.watermarks().get("bad"))
                .containsExactly(new WatermarkAdvance("bad", seq(1), seq(9)), new WatermarkAdvance("bad", seq(10), seq(12)));
    }

    @Test
    void parkedChangesAndWritesShareTheActionLimit() {
        // per event one new item and one parked change, plus two watermarks per chunk: 4, 6, 8, 10 -> four events per chunk
        TestProjection bad = counter("bad", Set.of("Order"), e -> new IllegalStateException("always"));
        TestProjection good = copier("good", Set.of("Order"));

        List<Chunk> chunks = new ChunkPlanner(List.of(bad, good), SMALL).plan(inserts("Order", 1, 2, 3, 4, 5, 6, 7, 8, 9), Map.of());

        assertThat(chunks).extracting(ChunkPlannerTest::seqs)
                .containsExactly(List.of(1L, 2L, 3L, 4L), List.of(5L, 6L, 7L, 8L), List.of(9L));
        assertThat(chunks).extracting(Chunk::actionCount).containsExactly(10, 10, 4);
        assertThat(chunks).allSatisfy(c -> assertThat(c.actionCount())
                .isEqualTo(c.mutations().size() + c.watermarks().size() + c.parked().size()));
    }

    @Test
    void parkedChangesCountTowardsTheByteLimit() {
        TransactionLimits bytes = new TransactionLimits(100, 2_000);
        TestProjection bad = counter("bad", Set.of("Order"), e -> new IllegalStateException("always"));

        List<Chunk> chunks = new ChunkPlanner(List.of(bad), bytes).plan(inserts("Order", 1, 2, 3, 4, 5), Map.of());

        assertThat(parked(chunks)).hasSize(5);
        long one = DeadLetterStore.estimatedSize(parked(chunks).get(0));
        // with the watermark item (the planner estimates it at 256 bytes) two parked changes fit, three do not
        assertThat(one).as("size of one parked change").isBetween((2_000L - 256) / 3 + 1, (2_000L - 256) / 2);
        assertThat(chunks).extracting(ChunkPlannerTest::seqs).containsExactly(List.of(1L, 2L), List.of(3L, 4L), List.of(5L));
        assertThat(chunks).allSatisfy(c -> assertThat(c.parked().stream().mapToLong(DeadLetterStore::estimatedSize).sum())
                .isLessThanOrEqualTo(bytes.maxBytes()));
    }

    @Test
    void eventsWithoutWritesNeverForceACut() {
        TestProjection fanOut = new TestProjection("fan", Set.of("Order"), e -> IntStream.range(0, 9)
                .mapToObj(i -> (Write) Write.delete("FAN#" + e.sequenceNumber(), "N#" + i)).toList());
        List<ChangeEvent> events = new ArrayList<>(inserts("Order", 1));
        events.addAll(inserts("Other", 2, 3, 4));
        events.addAll(inserts("Order", 5));

        List<Chunk> chunks = new ChunkPlanner(List.of(fanOut), SMALL).plan(events, Map.of());

        assertThat(chunks).extracting(ChunkPlannerTest::seqs).containsExactly(List.of(1L, 2L, 3L, 4L), List.of(5L));
    }

    @Test
    void aGuardedWindowIsOneChunkPastTheTransactionLimitWithEveryWriteAtItsSequenceNumber() {
        TestProjection copies = copier("c", Set.of("Order"));
        TestProjection total = new TestProjection("t", Set.of("Order"), e -> List.of(Write.increment("TOTAL", "ALL", "n", 1)));
        long[] seqs = IntStream.rangeClosed(1, 150).mapToLong(i -> i).toArray();
        List<Chunk> chunks = new ChunkPlanner(List.of(copies, total), SMALL, ChunkPlanner.Unrouted.IGNORE, true).plan(inserts("Order", seqs), Map.of());

        assertThat(chunks).hasSize(1);
        Chunk window = chunks.get(0);
        assertThat(window.guarded()).isTrue();
        assertThat(window.mutations()).hasSize(151);
        assertThat(window.writes()).hasSize(300);
        assertThat(window.writes()).filteredOn(w -> w.write() instanceof Write.Increment)
                .extracting(w -> w.sequence().value().longValueExact()).containsExactly(java.util.Arrays.stream(seqs).boxed().toArray(Long[]::new));
        assertThat(window.watermarks().keySet()).containsExactly("c", "t");
        assertThat(new ChunkPlanner(List.of(copies, total), SMALL).plan(inserts("Order", seqs), Map.of()))
                .as("the same events in transactions").hasSizeGreaterThan(10).allSatisfy(c -> assertThat(c.guarded()).isFalse());
    }

    @Test
    void aGuardedWindowParksTheWriteThatWouldMixACopyAndACounterOnOneItem() {
        TestProjection copies = new TestProjection("c", Set.of("Order"), e -> List.of(Write.put("SHARED", "X").with("v", 1)));
        TestProjection counts = new TestProjection("n", Set.of("Order"), e -> List.of(Write.increment("SHARED", "X", "n", 1)));
        List<Chunk> chunks = new ChunkPlanner(List.of(copies, counts), SMALL, ChunkPlanner.Unrouted.IGNORE, true).plan(inserts("Order", 1, 2), Map.of());

        assertThat(chunks).hasSize(1);
        assertThat(parked(chunks)).extracting(ParkedChange::projection, ChunkPlannerTest::seqOf, ParkedChange::errorType)
                .containsExactly(tuple("n", 1L, "MixedWriteStyles"), tuple("n", 2L, "MixedWriteStyles"));
        assertThat(parked(chunks).get(0).reason()).contains("SHARED").contains("--commit-mode transactional");
        assertThat(chunks.get(0).writes()).extracting(SequencedWrite::write).allMatch(w -> w instanceof Write.Put);
        assertThat(new ChunkPlanner(List.of(copies, counts), SMALL).plan(inserts("Order", 1, 2), Map.of()))
                .as("transactions take both styles").allSatisfy(c -> assertThat(c.parked()).isEmpty());
    }

    @Test
    void aHandOffIsPlannedInTransactionsEvenByAGuardedPlanner() {
        TestProjection copies = copier("c", Set.of("Order"));
        HandOff handOff = new HandOff(Map.of("c", new HandOffRule("version")), Map.of(), false);
        List<Chunk> chunks = new ChunkPlanner(List.of(copies), SMALL, ChunkPlanner.Unrouted.IGNORE, true)
                .plan(inserts("Order", 1, 2), Map.of(), ParkingLot.empty(), null, handOff);
        assertThat(chunks).isNotEmpty().allSatisfy(c -> assertThat(c.guarded()).isFalse());
    }

    @Test
    void aPlannerWithSomeProjectionsGuardedPlansThemApartInWindowsAndTheOthersInTransactions() {
        TestProjection copies = copier("c", Set.of("Order"));
        TestProjection total = new TestProjection("t", Set.of("Order"), e -> List.of(Write.increment("TOTAL", "ALL", "n", 1)));
        ChunkPlanner planner = new ChunkPlanner(List.of(copies, total), SMALL, ChunkPlanner.Unrouted.IGNORE, Set.of("c"));
        assertThat(planner.passes()).containsExactly(Set.of("t", ChunkPlanner.NO_PROJECTION), Set.of("c"));
        long[] seqs = IntStream.rangeClosed(1, 30).mapToLong(i -> i).toArray();

        List<Chunk> windows = planner.plan(inserts("Order", seqs), Map.of(), ParkingLot.empty(), Set.of("c"));
        assertThat(windows).singleElement().satisfies(c -> {
            assertThat(c.guarded()).isTrue();
            assertThat(c.watermarks().keySet()).containsExactly("c");
            assertThat(c.writes()).hasSize(30);
        });
        List<Chunk> transactions = planner.plan(inserts("Order", seqs), Map.of(), ParkingLot.empty(), Set.of("t", ChunkPlanner.NO_PROJECTION));
        assertThat(transactions).allSatisfy(c -> {
            assertThat(c.guarded()).isFalse();
            assertThat(c.watermarks().keySet()).containsExactly("t");
        });
        assertThat(new ChunkPlanner(List.of(copies, total), SMALL, ChunkPlanner.Unrouted.IGNORE, true).passes()).containsExactly((Set<String>) null);
        assertThat(new ChunkPlanner(List.of(copies, total), SMALL).passes()).containsExactly((Set<String>) null);
    }
}
