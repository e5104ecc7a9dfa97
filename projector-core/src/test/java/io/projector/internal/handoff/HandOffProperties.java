package io.projector.internal.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.SequenceNumber;
import io.projector.internal.plan.AppliedVersion;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.HandOff;
import io.projector.internal.plan.HandOffRule;
import io.projector.internal.plan.InMemoryReadModel;
import io.projector.internal.plan.MarkerKey;
import io.projector.internal.plan.MarkerWrite;
import io.projector.internal.plan.ParkedChange;
import io.projector.internal.plan.ParkingLot;
import io.projector.internal.plan.TransactionLimits;
import io.projector.it.CopyProjection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The hand-off rule, through the real planner: items with a history before the stream, a stream
 * of random puts and deletes (versions growing across re-creation), a scan that reads each item
 * at a random moment and commits it at another, interleaved with stream batches of random size.
 * Whatever the interleaving, the read model ends equal to a recomputation from the final items,
 * counters included, and nothing is parked.
 */
class HandOffProperties {

    private static final int ITEMS = 5;
    private static final CopyProjection PROJECTION = new CopyProjection();

    @Property(tries = 300)
    void scanAndStreamTogetherApplyEveryChangeExactlyOnce(@ForAll long seed) {
        Random random = new Random(seed);
        Map<Integer, Map<String, AttributeValue>> state = new HashMap<>();
        long[] versions = new long[ITEMS];
        for (int i = 0; i < ITEMS; i++) {
            if (random.nextBoolean()) {
                versions[i] = random.nextInt(3);
                state.put(i, image(i, versions[i], random));
            }
        }
        // The stream from T0 on, and after each of its events the items as a scan would read them.
        List<ChangeEvent> stream = new ArrayList<>();
        List<Map<Integer, Map<String, AttributeValue>>> snapshots = new ArrayList<>();
        snapshots.add(new HashMap<>(state));
        int changes = 1 + random.nextInt(30);
        for (int c = 0; c < changes; c++) {
            int i = random.nextInt(ITEMS);
            Map<String, AttributeValue> before = state.get(i);
            Map<String, AttributeValue> after = before != null && random.nextInt(4) == 0 ? null : image(i, ++versions[i], random);
            if (before == null && after == null) {
                continue;
            }
            if (after == null) {
                state.remove(i);
            } else {
                state.put(i, after);
            }
            ChangeType type = before == null ? ChangeType.INSERT : after == null ? ChangeType.REMOVE : ChangeType.MODIFY;
            stream.add(new ChangeEvent(type, keys(i), Optional.ofNullable(before).map(Item::of), Optional.ofNullable(after).map(Item::of),
                    "Thing", SequenceNumber.of(100 + stream.size()), Instant.EPOCH));
            snapshots.add(new HashMap<>(state));
        }
        // Per item: after how many stream events the scan reads it, and after how many the consumer has applied it commits.
        int[] readAt = new int[ITEMS];
        int[] commitAt = new int[ITEMS];
        for (int i = 0; i < ITEMS; i++) {
            readAt[i] = random.nextInt(stream.size() + 1);
            commitAt[i] = random.nextInt(stream.size() + 1);
        }

        ChunkPlanner planner = new ChunkPlanner(List.of(PROJECTION), TransactionLimits.DYNAMODB);
        Map<String, HandOffRule> rules = Map.of(PROJECTION.name(), new HandOffRule("version"));
        InMemoryReadModel readModel = new InMemoryReadModel();
        Map<MarkerKey, AppliedVersion> markers = new HashMap<>();
        List<ParkedChange> parked = new ArrayList<>();
        int applied = 0;
        while (applied < stream.size() || anyScanLeft(commitAt)) {
            for (int i = 0; i < ITEMS; i++) {
                if (commitAt[i] >= 0 && commitAt[i] <= applied) {
                    commitAt[i] = -1;
                    Map<String, AttributeValue> read = snapshots.get(readAt[i]).get(i);
                    if (read != null) {
                        ChangeEvent scanned = new ChangeEvent(ChangeType.INSERT, keys(i), Optional.empty(), Optional.of(Item.of(read)),
                                "Thing", SequenceNumber.of(1), Instant.EPOCH);
                        apply(planner.plan(List.of(scanned), Map.of(), ParkingLot.empty(), null,
                                new HandOff(rules, markers, true)), readModel, markers, parked);
                    }
                }
            }
            if (applied < stream.size()) {
                int batch = 1 + random.nextInt(Math.min(6, stream.size() - applied));
                apply(planner.plan(stream.subList(applied, applied + batch), Map.of(), ParkingLot.empty(), null,
                        new HandOff(rules, markers, false)), readModel, markers, parked);
                applied += batch;
            } else {
                applied++;
            }
        }

        InMemoryReadModel expected = new InMemoryReadModel();
        state.forEach((i, item) -> PROJECTION.project(new ChangeEvent(ChangeType.INSERT, keys(i), Optional.empty(),
                Optional.of(Item.of(item)), "Thing", SequenceNumber.of(1), Instant.EPOCH)).forEach(expected::apply));
        assertThat(parked).isEmpty();
        assertThat(withoutZeros(readModel)).isEqualTo(withoutZeros(expected));
    }

    private static boolean anyScanLeft(int[] commitAt) {
        for (int c : commitAt) {
            if (c >= 0) {
                return true;
            }
        }
        return false;
    }

    private static void apply(List<Chunk> chunks, InMemoryReadModel readModel, Map<MarkerKey, AppliedVersion> markers, List<ParkedChange> parked) {
        for (Chunk chunk : chunks) {
            chunk.mutations().values().forEach(readModel::apply);
            for (MarkerWrite w : chunk.markers()) {
                assertThat(markers.get(w.key())).as("the condition the commit would check").isEqualTo(w.expected());
                markers.put(w.key(), w.next());
            }
            parked.addAll(chunk.parked());
        }
    }

    /** A group counter back at zero is the same read model as no counter. */
    private static Map<ItemKey, Map<String, AttributeValue>> withoutZeros(InMemoryReadModel model) {
        Map<ItemKey, Map<String, AttributeValue>> out = new HashMap<>();
        model.items().forEach((k, v) -> {
            boolean allZero = k.pk().startsWith("GROUP#") && v.values().stream().allMatch(a -> a.n() != null && Double.parseDouble(a.n()) == 0);
            if (!allZero) {
                out.put(k, InMemoryReadModel.normalized(v));
            }
        });
        return out;
    }

    private static Item keys(int i) {
        return Item.of(Map.of("PK", AttributeValue.fromS("T#" + i), "SK", AttributeValue.fromS("1")));
    }

    private static Map<String, AttributeValue> image(int i, long version, Random random) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("PK", AttributeValue.fromS("T#" + i));
        item.put("SK", AttributeValue.fromS("1"));
        item.put("type", AttributeValue.fromS("Thing"));
        item.put("group", AttributeValue.fromS("g" + random.nextInt(2)));
        item.put("value", AttributeValue.fromS("v" + random.nextInt(100)));
        item.put("amount", AttributeValue.fromN(Integer.toString(1 + random.nextInt(9))));
        if (version > 0 || random.nextBoolean()) {
            item.put("version", AttributeValue.fromN(Long.toString(version)));
        }
        return item;
    }
}
