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
 * item, and what its transaction would hold (actions, bytes) with one more event's. A guarded
 * window has no transaction to fit: it keeps every write with its sequence number instead, and
 * refuses a write that would mix a copy's puts and deletes with a counter's increments and sets on
 * one item, since each style is guarded differently.
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
    private final List<SequencedWrite> writes = new ArrayList<>();
    private final boolean scan;
    private final boolean guarded;
    private long bytes;

    ChunkBuilder(TransactionLimits limits, FailurePolicies policies, boolean scan, boolean guarded) {
        this.limits = limits;
        this.policies = policies;
        this.scan = scan;
        this.guarded = guarded;
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
            } catch (MixedWriteStyles e) {
                policies.park(projected, e.projection, event, e.getMessage(), MixedWriteStyles.class.getSimpleName(), null);
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
                if (guarded && before != null && isCopy(before) != isCopy(w)) {
                    throw new MixedWriteStyles(projection, w.key(), isCopy(w));
                }
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
        return guarded || actionsWith(touched, projected) <= limits.maxActions() && bytesWith(touched, projected) <= limits.maxBytes();
    }

    void add(ChangeEvent event, Map<ItemKey, ItemMutation> touched, Projected projected, Map<MarkerKey, AppliedVersion> before) {
        bytes = bytesWith(touched, projected);
        touched.forEach((k, m) -> {
            mutations.put(k, m);
            sizes.put(k, sizeOf(m));
        });
        projected.watermarkProjections().forEach(p -> firstApplied.putIfAbsent(p, event.sequenceNumber()));
        parked.addAll(projected.parked);
        if (guarded) {
            projected.writes.values().forEach(list -> list.forEach(w -> writes.add(new SequencedWrite(event.sequenceNumber(), w))));
        }
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
        return new Chunk(events, mutations, marks, parked, List.copyOf(markerWrites.values()), writes, guarded);
    }

    private static boolean isCopy(ItemMutation m) {
        return !(m instanceof ItemMutation.Update);
    }

    private static boolean isCopy(Write w) {
        return w instanceof Write.Put || w instanceof Write.Delete;
    }

    /** A write that would give an item both styles in one guarded window. */
    private static final class MixedWriteStyles extends RuntimeException {
        private final String projection;

        MixedWriteStyles(String projection, ItemKey key, boolean copy) {
            super("it " + (copy ? "puts or deletes" : "increments or sets attributes of") + " read-model item " + key
                    + ", which this window " + (copy ? "increments or sets" : "puts or deletes") + "; the guarded commit keeps an item "
                    + "either a copy (puts and deletes) or a counter (increments and sets): write the two to different items, or run "
                    + "with --commit-mode transactional", null, false, false);
            this.projection = projection;
        }
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
