package io.projector.internal.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.Projection;
import io.projector.SequenceNumber;
import io.projector.Write;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.InMemoryReadModel;
import io.projector.internal.plan.ParkedChange;
import io.projector.internal.plan.ParkingLot;
import io.projector.internal.plan.SourceKeys;
import io.projector.internal.plan.TransactionLimits;
import io.projector.internal.plan.WatermarkAdvance;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * Two processors of one shard at once — a stolen lease, the KCL's graceful hand-off running out,
 * a replay into the live table — through the real {@link ShardProjector} and planner, against a
 * table held in memory that checks the watermark conditions as DynamoDB does. The second processor
 * starts from an earlier checkpoint at a random moment, and each commit may let the other
 * processor run a batch first. A projection that fails on some items parks their changes.
 * Whatever the interleaving, no change of an item is applied after one of its changes was parked,
 * every change is applied or parked once, and a re-drive after the fix gives the read model a
 * recomputation would.
 */
class TwoProcessorsProperties {

    private static final int ITEMS = 3;
    private static final String SHARD = "shardId-1";

    @Property(tries = 200)
    void perItemOrderHoldsWithTwoProcessorsOnOneShard(@ForAll long seed) {
        Random random = new Random(seed);
        List<ChangeEvent> stream = history(random);
        BreakableCopy projection = new BreakableCopy();
        ChunkPlanner planner = new ChunkPlanner(List.of(projection), TransactionLimits.DYNAMODB);
        MemoryTable table = new MemoryTable(random);

        Processor a = new Processor(() -> batches(stream, 0, random));
        // The second one starts from a checkpoint at or before what the table holds when it starts.
        Processor b = new Processor(() -> batches(stream, random.nextInt(1 + table.committedCount(stream)), random));
        EngineCounters counters = new EngineCounters();
        a.projector = processor(planner, table.seenBy(a), counters);
        b.projector = processor(planner, table.seenBy(b), counters);
        table.processors = List.of(a, b);
        a.step();
        while (a.hasMore() || b.hasMore()) {
            Processor next = !a.hasMore() ? b : !b.hasMore() ? a : random.nextBoolean() ? a : b;
            next.step();
        }

        // Per item: nothing applied after its first parked change, and each change applied or parked once.
        Map<String, SequenceNumber> firstParked = new HashMap<>();
        table.letters.values().forEach(c -> firstParked.merge(SourceKeys.of(c.event().keys().asMap()), c.event().sequenceNumber(),
                (x, y) -> x.compareTo(y) <= 0 ? x : y));
        table.applied.forEach((item, seqs) -> {
            SequenceNumber parked = firstParked.get(item);
            if (parked != null) {
                assertThat(seqs).as("changes of %s applied although %s of it is parked", item, parked)
                        .allMatch(s -> s.compareTo(parked) < 0);
            }
        });
        long applied = table.applied.values().stream().mapToLong(List::size).sum();
        assertThat(applied + table.letters.size()).as("changes applied plus parked").isEqualTo(stream.size());
        Set<SequenceNumber> both = table.applied.values().stream().flatMap(List::stream).collect(Collectors.toSet());
        both.retainAll(table.letters.keySet());
        assertThat(both).as("changes both applied and parked").isEmpty();

        // Fixed and re-driven, item by item in stream order, the read model is the recomputation.
        projection.broken = false;
        Map<String, List<ParkedChange>> byItem = new TreeMap<>();
        table.letters.values().forEach(c -> byItem.computeIfAbsent(SourceKeys.of(c.event().keys().asMap()), k -> new ArrayList<>()).add(c));
        byItem.values().forEach(letters -> letters.forEach(c ->
                planner.plan(List.of(c.event()), Map.of()).forEach(chunk -> chunk.mutations().values().forEach(table.model::apply))));
        InMemoryReadModel expected = new InMemoryReadModel();
        stream.forEach(e -> projection.project(e).forEach(expected::apply));
        assertThat(table.model.items()).isEqualTo(expected.items());
    }

    private static ShardProjector processor(ChunkPlanner planner, ShardTable table, EngineCounters counters) {
        return new ShardProjector(SHARD, List.of(BreakableCopy.NAME), planner, table, Retry.ofDefaults("two-processors"),
                CircuitBreaker.ofDefaults("two-processors"), counters, () -> false,
                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), HandOffSource.NONE, null);
    }

    /** Random inserts, modifies and removes of a few items; some images are poisoned (the projection fails on them). */
    private static List<ChangeEvent> history(Random random) {
        Map<Integer, Map<String, AttributeValue>> state = new HashMap<>();
        List<ChangeEvent> out = new ArrayList<>();
        int changes = 2 + random.nextInt(14);
        for (int c = 0; c < changes; c++) {
            int i = random.nextInt(ITEMS);
            Map<String, AttributeValue> before = state.get(i);
            Map<String, AttributeValue> after = null;
            if (before == null || random.nextInt(5) > 0) {
                after = new HashMap<>(Map.of("PK", AttributeValue.fromS("T#" + i), "SK", AttributeValue.fromS("1"),
                        "type", AttributeValue.fromS("Thing"), "value", AttributeValue.fromS("v" + c)));
                if (random.nextInt(4) == 0) {
                    after.put("poison", AttributeValue.fromBool(true));
                }
                state.put(i, after);
            } else {
                state.remove(i);
            }
            ChangeType type = before == null ? ChangeType.INSERT : after == null ? ChangeType.REMOVE : ChangeType.MODIFY;
            out.add(new ChangeEvent(type, Item.of(Map.of("PK", AttributeValue.fromS("T#" + i), "SK", AttributeValue.fromS("1"))),
                    Optional.ofNullable(before).map(Item::of), Optional.ofNullable(after).map(Item::of), "Thing",
                    SequenceNumber.of(1_000 + 10L * c), Instant.EPOCH));
        }
        return out;
    }

    /** The events from {@code from} on, cut into batches of 1 to 4 as the KCL might deliver them. */
    private static List<List<ChangeEvent>> batches(List<ChangeEvent> stream, int from, Random random) {
        List<List<ChangeEvent>> out = new ArrayList<>();
        int at = from;
        while (at < stream.size()) {
            int size = 1 + random.nextInt(Math.min(4, stream.size() - at));
            out.add(stream.subList(at, at + size));
            at += size;
        }
        return out;
    }

    /** One processor of the shard: initialize, then its batches in order. */
    private static final class Processor {
        private final Supplier<List<List<ChangeEvent>>> checkpoint;
        private List<List<ChangeEvent>> batches;
        ShardProjector projector;
        private boolean initialized;
        private int next;

        Processor(Supplier<List<List<ChangeEvent>>> checkpoint) {
            this.checkpoint = checkpoint;
        }

        boolean hasMore() {
            return !initialized || next < batches.size();
        }

        void step() {
            if (!initialized) {
                initialized = true;
                batches = checkpoint.get();
                projector.initialize();
            } else {
                projector.process(batches.get(next++));
            }
        }
    }

    /**
     * The read-model table in memory: a commit is refused as DynamoDB refuses it (a watermark at or
     * past the chunk's first change: ALREADY_APPLIED), else applied whole. Before a commit is judged
     * the other processor may run one step, as if its requests had reached the table first.
     */
    private static final class MemoryTable {
        final InMemoryReadModel model = new InMemoryReadModel();
        final Map<String, SequenceNumber> watermarks = new HashMap<>();
        final Map<SequenceNumber, ParkedChange> letters = new TreeMap<>();
        /** Per source item, the changes whose writes were committed. */
        final Map<String, List<SequenceNumber>> applied = new TreeMap<>();
        final Random random;
        List<Processor> processors = List.of();
        private boolean interleaving;

        MemoryTable(Random random) {
            this.random = random;
        }

        /** How many events of the stream the watermark covers. */
        int committedCount(List<ChangeEvent> stream) {
            SequenceNumber mark = watermarks.get(BreakableCopy.NAME);
            return mark == null ? 0 : (int) stream.stream().filter(e -> !e.sequenceNumber().isAfter(mark)).count();
        }

        /** The table as one processor reaches it: its commits may let the other processor go first. */
        ShardTable seenBy(Processor owner) {
            return new ShardTable() {
                @Override
                public Map<String, SequenceNumber> watermarks(String shardId, List<String> projections) {
                    return Map.copyOf(watermarks);
                }

                @Override
                public Set<String> blockedItems(long maxAgeMillis, long nowMillis) {
                    return MemoryTable.this.blockedItems();
                }

                @Override
                public boolean catchUp(String shardId, String projection, SequenceNumber to, long nowMillis) {
                    SequenceNumber stored = watermarks.get(projection);
                    if (stored != null && !to.isAfter(stored)) {
                        return false;
                    }
                    watermarks.put(projection, to);
                    return true;
                }

                @Override
                public ChunkCommitter.Outcome commit(String shardId, Chunk chunk) {
                    return MemoryTable.this.commit(owner, chunk);
                }

                @Override
                public void parkUndecodable(String shardId, Record record, String reason, long nowMillis) {
                    throw new AssertionError("no undecodable records here");
                }
            };
        }

        Set<String> blockedItems() {
            Set<String> out = new HashSet<>();
            letters.values().forEach(c -> out.add(ParkingLot.blockKey(c.projection(), SourceKeys.of(c.event().keys().asMap()))));
            return out;
        }

        ChunkCommitter.Outcome commit(Processor owner, Chunk chunk) {
            if (!interleaving && random.nextInt(3) == 0) {
                List<Processor> ready = processors.stream().filter(p -> p != owner && p.hasMore()).toList();
                if (!ready.isEmpty()) {
                    interleaving = true;
                    try {
                        ready.get(random.nextInt(ready.size())).step();
                    } finally {
                        interleaving = false;
                    }
                }
            }
            for (WatermarkAdvance w : chunk.watermarks().values()) {
                SequenceNumber stored = watermarks.get(w.projection());
                if (stored != null && !w.firstApplied().isAfter(stored)) {
                    return ChunkCommitter.Outcome.ALREADY_APPLIED;
                }
            }
            assertThat(chunk.markers()).isEmpty();
            chunk.mutations().values().forEach(model::apply);
            Set<SequenceNumber> parked = new HashSet<>();
            chunk.parked().forEach(c -> {
                letters.put(c.event().sequenceNumber(), c);
                parked.add(c.event().sequenceNumber());
            });
            for (ChangeEvent e : chunk.events()) {
                SequenceNumber mark = watermarks.get(BreakableCopy.NAME);
                if ((mark == null || e.sequenceNumber().isAfter(mark)) && !parked.contains(e.sequenceNumber())) {
                    applied.computeIfAbsent(SourceKeys.of(e.keys().asMap()), k -> new ArrayList<>()).add(e.sequenceNumber());
                }
            }
            chunk.watermarks().values().forEach(w -> watermarks.put(w.projection(), w.to()));
            return ChunkCommitter.Outcome.COMMITTED;
        }
    }

    /** Copies each item with the sequence number of the change, and counts changes; while broken, fails on poisoned images. */
    private static final class BreakableCopy implements Projection {
        static final String NAME = "breakable-copy";
        boolean broken = true;

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Set<String> entityTypes() {
            return Set.of("Thing");
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            Item item = event.latestImage();
            if (broken && item.has("poison")) {
                throw new IllegalStateException("poisoned item " + item.string("PK"));
            }
            String id = item.string("PK");
            List<Write> writes = new ArrayList<>();
            writes.add(event.newImage().isPresent()
                    ? Write.put("COPY#" + id, "COPY").with("value", item.string("value")).with("seq", event.sequenceNumber().toString())
                    : Write.delete("COPY#" + id, "COPY"));
            writes.add(Write.increment("COUNT#" + id, "COUNT", "changes", 1));
            return writes;
        }
    }
}
