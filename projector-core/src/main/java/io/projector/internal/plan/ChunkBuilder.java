package io.projector.internal.plan;

import io.projector.ChangeEvent;
import io.projector.ItemKey;
import io.projector.ProjectionFailedException;
import io.projector.SequenceNumber;
import io.projector.Write;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chunk being planned, and its accounting: the writes of its events folded per read-model
 * item, and what its transaction would hold (actions, bytes) with one more event's.
 */
final class ChunkBuilder {

    private final List<ChangeEvent> events = new ArrayList<>();
    private final Map<ItemKey, ItemMutation> mutations = new LinkedHashMap<>();
    private final Map<ItemKey, Long> sizes = new HashMap<>();
    private final Map<String, SequenceNumber> firstApplied = new LinkedHashMap<>();
    private final List<ParkedChange> parked = new ArrayList<>();
    private final Map<MarkerKey, MarkerWrite> markerWrites = new LinkedHashMap<>();
    private final TransactionLimits limits;
    private final FailurePolicies policies;
    private final boolean scan;
    private long bytes;

    ChunkBuilder(TransactionLimits limits, FailurePolicies policies, boolean scan) {
        this.limits = limits;
        this.policies = policies;
        this.scan = scan;
    }

    boolean isEmpty() {
        return events.isEmpty();
    }

    boolean hasContent() {
        return !mutations.isEmpty() || !parked.isEmpty() || !markerWrites.isEmpty();
    }

    /** Folds the event's writes; a projection whose writes cannot be folded (e.g. adding to text) is parked. */
    Map<ItemKey, ItemMutation> foldParkingFailures(ChangeEvent event, Projected projected) {
        while (true) {
            try {
                return fold(event, projected.writes);
            } catch (ProjectionFailedException e) {
                policies.park(projected, e.projection(), event, e.reason(), "WriteConflict", e.getCause());
            }
        }
    }

    private Map<ItemKey, ItemMutation> fold(ChangeEvent event, Map<String, List<Write>> writes) {
        Map<ItemKey, ItemMutation> touched = new LinkedHashMap<>();
        writes.forEach((projection, list) -> {
            for (Write w : list) {
                ItemMutation before = touched.containsKey(w.key()) ? touched.get(w.key()) : mutations.get(w.key());
                try {
                    touched.put(w.key(), before == null ? ItemMutation.of(w) : before.then(w));
                } catch (RuntimeException e) {
                    throw new ProjectionFailedException(projection, event, String.valueOf(e.getMessage()), e);
                }
            }
        });
        return touched;
    }

    int actionsWith(Map<ItemKey, ItemMutation> touched, Projected projected) {
        long newItems = touched.keySet().stream().filter(k -> !mutations.containsKey(k)).count();
        long newMarks = scan ? 0 : projected.watermarkProjections().stream().filter(p -> !firstApplied.containsKey(p)).count();
        long marks = scan ? 0 : firstApplied.size();
        long newMarkers = projected.markers.keySet().stream().filter(k -> !markerWrites.containsKey(k)).count();
        return (int) (mutations.size() + newItems + marks + newMarks + parked.size() + projected.parked.size()
                + markerWrites.size() + newMarkers);
    }

    long bytesWith(Map<ItemKey, ItemMutation> touched, Projected projected) {
        long total = bytes;
        for (Map.Entry<ItemKey, ItemMutation> e : touched.entrySet()) {
            total += sizeOf(e.getValue()) - sizes.getOrDefault(e.getKey(), 0L);
        }
        long newMarks = projected.watermarkProjections().stream().filter(p -> !firstApplied.containsKey(p)).count();
        for (ParkedChange c : projected.parked) {
            total += EngineItemSizes.deadLetter(c);
        }
        long newMarkers = projected.markers.keySet().stream().filter(k -> !markerWrites.containsKey(k)).count();
        return total + (scan ? 0 : newMarks) * EngineItemSizes.WATERMARK_BYTES + newMarkers * EngineItemSizes.MARKER_BYTES;
    }

    boolean fits(Map<ItemKey, ItemMutation> touched, Projected projected) {
        return actionsWith(touched, projected) <= limits.maxActions() && bytesWith(touched, projected) <= limits.maxBytes();
    }

    void add(ChangeEvent event, Map<ItemKey, ItemMutation> touched, Projected projected, Map<MarkerKey, AppliedVersion> before) {
        bytes = bytesWith(touched, projected);
        touched.forEach((k, m) -> {
            mutations.put(k, m);
            sizes.put(k, sizeOf(m));
        });
        projected.watermarkProjections().forEach(p -> firstApplied.putIfAbsent(p, event.sequenceNumber()));
        parked.addAll(projected.parked);
        projected.markers.forEach((k, next) -> {
            MarkerWrite earlier = markerWrites.get(k);
            markerWrites.put(k, new MarkerWrite(k, earlier != null ? earlier.expected() : before.get(k), next));
        });
        events.add(event);
    }

    Chunk build() {
        SequenceNumber last = events.get(events.size() - 1).sequenceNumber();
        Map<String, WatermarkAdvance> marks = new LinkedHashMap<>();
        if (!scan) {
            firstApplied.forEach((p, first) -> marks.put(p, new WatermarkAdvance(p, first, last)));
        }
        return new Chunk(events, mutations, marks, parked, List.copyOf(markerWrites.values()));
    }

    /** What a mutation adds to the transaction's bytes, about as DynamoDB counts it. */
    static long sizeOf(ItemMutation m) {
        long key = m.key().pk().length() + m.key().sk().length() + 4;
        if (m instanceof ItemMutation.Replace r) {
            return key + ItemSize.of(r.attributes());
        }
        if (m instanceof ItemMutation.Update u) {
            return key + ItemSize.of(u.sets()) + u.adds().keySet().stream().mapToLong(n -> n.length() + 24).sum()
                    + u.removes().stream().mapToLong(n -> n.length() + 4).sum();
        }
        return key;
    }
}
