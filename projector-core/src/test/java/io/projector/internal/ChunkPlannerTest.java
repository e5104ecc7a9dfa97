package io.projector.internal;

import io.projector.ProjectionFailedException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.SequenceNumber;
import io.projector.Write;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
        final List<Long> seen = new ArrayList<>();

        TestProjection(String name, Set<String> types, Function<ChangeEvent, List<Write>> fn) {
            this.name = name;
            this.types = types;
            this.fn = fn;
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
    void aThrowingProjectionFailsNamingProjectionAndSequenceNumber() {
        IllegalStateException boom = new IllegalStateException("boom: no customer");
        TestProjection bad = new TestProjection("order-history", Set.of("Order"), e -> {
            if (e.sequenceNumber().equals(seq(102))) {
                throw boom;
            }
            return List.of();
        });

        assertThatThrownBy(() -> new ChunkPlanner(List.of(bad), SMALL).plan(inserts("Order", 101, 102, 103), Map.of()))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("'order-history'")
                .hasMessageContaining("sequence number 102")
                .hasMessageContaining("boom: no customer")
                .hasCause(boom)
                .satisfies(t -> {
                    ProjectionFailedException pfe = (ProjectionFailedException) t;
                    assertThat(pfe.projection()).isEqualTo("order-history");
                    assertThat(pfe.event().sequenceNumber()).isEqualTo(seq(102));
                });
    }

    @Test
    void aProjectionReturningNullFails() {
        TestProjection nullList = new TestProjection("nulls", Set.of("Order"), e -> null);
        assertThatThrownBy(() -> new ChunkPlanner(List.of(nullList), SMALL).plan(inserts("Order", 1), Map.of()))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("'nulls'")
                .hasMessageContaining("null");

        List<Write> withNull = new ArrayList<>();
        withNull.add(null);
        TestProjection nullWrite = new TestProjection("null-write", Set.of("Order"), e -> withNull);
        assertThatThrownBy(() -> new ChunkPlanner(List.of(nullWrite), SMALL).plan(inserts("Order", 1), Map.of()))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("'null-write'")
                .hasMessageContaining("null write");
    }

    @Test
    void writesToTheEnginesReservedKeysAreRejected() {
        TestProjection sneaky = new TestProjection("sneaky", Set.of("Order"),
                e -> List.of(Write.put(ChunkPlanner.RESERVED_PREFIX + "WATERMARK", "shard-1").with("x", 1)));

        assertThatThrownBy(() -> new ChunkPlanner(List.of(sneaky), SMALL).plan(inserts("Order", 7), Map.of()))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("'sneaky'")
                .hasMessageContaining("sequence number 7")
                .hasMessageContaining("PROJECTOR#WATERMARK | shard-1")
                .hasMessageContaining("reserved");
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
    void anIncrementOfAStringPutByAnEarlierEventFailsNamingTheIncrementingProjection() {
        TestProjection putter = new TestProjection("putter", Set.of("Order"),
                e -> List.of(Write.put("SHARED", "ITEM").with("count", "not a number")));
        TestProjection counter = new TestProjection("counter", Set.of("Like"),
                e -> List.of(Write.increment("SHARED", "ITEM", "count", 1)));
        List<ChangeEvent> events = List.of(insert(1, "Order", "O"), insert(2, "Like", "L"));

        assertThatThrownBy(() -> new ChunkPlanner(List.of(putter, counter), SMALL).plan(events, Map.of()))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("'counter'")
                .hasMessageContaining("sequence number 2")
                .hasMessageContaining("'count'");
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
    void anEventWhoseWritesAloneExceedTheActionLimitFails() {
        // 10 items + 1 watermark = 11 actions > 10
        TestProjection wide = new TestProjection("wide", Set.of("Order"), e -> e.sequenceNumber().equals(seq(2))
                ? IntStream.range(0, 10).mapToObj(i -> (Write) Write.delete("WIDE", "N#" + i)).toList()
                : List.of(Write.delete("NARROW", "N")));

        assertThatThrownBy(() -> new ChunkPlanner(List.of(wide), SMALL).plan(inserts("Order", 1, 2), Map.of()))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("'wide'")
                .hasMessageContaining("sequence number 2")
                .hasMessageContaining("11 transaction actions")
                .hasMessageContaining("10 actions");
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
    void anEventWhoseWritesAloneExceedTheByteLimitFails() {
        TransactionLimits bytes = new TransactionLimits(100, 2_000);
        TestProjection huge = new TestProjection("huge", Set.of("Order"),
                e -> List.of(Write.put("HUGE", "H").with("payload", "x".repeat(3_000))));

        assertThatThrownBy(() -> new ChunkPlanner(List.of(huge), bytes).plan(inserts("Order", 1), Map.of()))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("'huge'")
                .hasMessageContaining("sequence number 1")
                .hasMessageContaining("bytes")
                .hasMessageContaining("2000");
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
}
