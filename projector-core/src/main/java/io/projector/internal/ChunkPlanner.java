package io.projector.internal;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.ProjectionFailedException;
import io.projector.SequenceNumber;
import io.projector.Write;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Routes events to projections and plans them into chunks: the writes of consecutive events are
 * coalesced per read-model item, and a chunk is cut at an event boundary before its transaction
 * would pass the action or byte limit. Events at or below a projection's watermark are not given
 * to that projection again. Pure: no I/O.
 */
public final class ChunkPlanner {

    /** Read-model keys with this partition-key prefix belong to the engine (watermarks). */
    public static final String RESERVED_PREFIX = "PROJECTOR#";

    private static final long WATERMARK_ITEM_BYTES = 256;

    private final Map<String, List<Projection>> byEntityType = new HashMap<>();
    private final TransactionLimits limits;

    public ChunkPlanner(List<Projection> projections, TransactionLimits limits) {
        this.limits = limits;
        for (Projection p : projections) {
            for (String type : p.entityTypes()) {
                byEntityType.computeIfAbsent(type, t -> new ArrayList<>()).add(p);
            }
        }
    }

    /**
     * @param events     consecutive events of one shard, in stream order
     * @param watermarks per projection, the last sequence number already committed on this shard (absent: none)
     */
    public List<Chunk> plan(List<ChangeEvent> events, Map<String, SequenceNumber> watermarks) {
        List<Chunk> chunks = new ArrayList<>();
        Builder current = new Builder();
        SequenceNumber previous = null;
        for (ChangeEvent event : events) {
            if (previous != null && !event.sequenceNumber().isAfter(previous)) {
                throw new IllegalStateException("events out of stream order: " + event.sequenceNumber() + " after " + previous);
            }
            previous = event.sequenceNumber();
            Map<String, List<Write>> writes = project(event, watermarks);
            Map<ItemKey, ItemMutation> touched = current.fold(event, writes);
            if (!current.fits(touched, writes) && current.hasWrites()) {
                chunks.add(current.build());
                current = new Builder();
                touched = current.fold(event, writes);
            }
            if (!current.fits(touched, writes)) {
                throw new ProjectionFailedException(String.join(",", writes.keySet()), event,
                        "its writes need " + current.actionsWith(touched, writes) + " transaction actions and about "
                                + current.bytesWith(touched, writes) + " bytes, more than one transaction holds ("
                                + limits.maxActions() + " actions, " + limits.maxBytes() + " bytes)", null);
            }
            current.add(event, touched, writes);
        }
        if (!current.events.isEmpty()) {
            chunks.add(current.build());
        }
        return chunks;
    }

    private Map<String, List<Write>> project(ChangeEvent event, Map<String, SequenceNumber> watermarks) {
        Map<String, List<Write>> out = new LinkedHashMap<>();
        for (Projection p : routes(event)) {
            SequenceNumber mark = watermarks.get(p.name());
            if (mark != null && !event.sequenceNumber().isAfter(mark)) {
                continue;
            }
            List<Write> writes = new ArrayList<>();
            for (ChangeEvent e : asSeenBy(p, event)) {
                writes.addAll(call(p, e));
            }
            for (Write w : writes) {
                if (w == null) {
                    throw new ProjectionFailedException(p.name(), event, "project() returned a null write", null);
                }
                if (w.key().pk().startsWith(RESERVED_PREFIX)) {
                    throw new ProjectionFailedException(p.name(), event,
                            "wrote to " + w.key() + ", but partition keys starting with " + RESERVED_PREFIX + " are reserved for the engine", null);
                }
            }
            if (!writes.isEmpty()) {
                out.put(p.name(), writes);
            }
        }
        return out;
    }

    /** The projections that want this event: those of its entity type, and of its previous type when it changed. */
    private List<Projection> routes(ChangeEvent event) {
        List<Projection> now = byEntityType.getOrDefault(event.entityType(), List.of());
        if (!event.changesEntityType()) {
            return now;
        }
        List<Projection> out = new ArrayList<>(byEntityType.getOrDefault(event.previousEntityType(), List.of()));
        now.stream().filter(p -> !out.contains(p)).forEach(out::add);
        return out;
    }

    /**
     * An item that changed its entity type left the projections of its old type and joined those
     * of its new one: they see a REMOVE of the old image and an INSERT of the new one.
     */
    private static List<ChangeEvent> asSeenBy(Projection p, ChangeEvent event) {
        if (!event.changesEntityType()) {
            return List.of(event);
        }
        List<ChangeEvent> out = new ArrayList<>(2);
        if (p.entityTypes().contains(event.previousEntityType())) {
            out.add(new ChangeEvent(ChangeType.REMOVE, event.keys(), event.oldImage(), Optional.empty(),
                    event.previousEntityType(), event.sequenceNumber(), event.approximateCreationTime(), event.previousEntityType()));
        }
        if (p.entityTypes().contains(event.entityType())) {
            out.add(new ChangeEvent(ChangeType.INSERT, event.keys(), Optional.empty(), event.newImage(),
                    event.entityType(), event.sequenceNumber(), event.approximateCreationTime(), ""));
        }
        return out;
    }

    private static List<Write> call(Projection p, ChangeEvent event) {
        List<Write> writes;
        try {
            writes = p.project(event);
        } catch (RuntimeException e) {
            throw new ProjectionFailedException(p.name(), event, String.valueOf(e.getMessage()), e);
        }
        if (writes == null) {
            throw new ProjectionFailedException(p.name(), event, "project() returned null instead of a list", null);
        }
        return writes;
    }

    private final class Builder {
        private final List<ChangeEvent> events = new ArrayList<>();
        private final Map<ItemKey, ItemMutation> mutations = new LinkedHashMap<>();
        private final Map<ItemKey, Long> sizes = new HashMap<>();
        private final Map<String, SequenceNumber> firstApplied = new LinkedHashMap<>();
        private long bytes;

        boolean hasWrites() {
            return !mutations.isEmpty();
        }

        /** The mutations of the items these writes touch, as they would be after folding them in. */
        Map<ItemKey, ItemMutation> fold(ChangeEvent event, Map<String, List<Write>> writes) {
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

        int actionsWith(Map<ItemKey, ItemMutation> touched, Map<String, List<Write>> writes) {
            long newItems = touched.keySet().stream().filter(k -> !mutations.containsKey(k)).count();
            long newMarks = writes.keySet().stream().filter(p -> !firstApplied.containsKey(p)).count();
            return (int) (mutations.size() + newItems + firstApplied.size() + newMarks);
        }

        long bytesWith(Map<ItemKey, ItemMutation> touched, Map<String, List<Write>> writes) {
            long total = bytes;
            for (Map.Entry<ItemKey, ItemMutation> e : touched.entrySet()) {
                total += sizeOf(e.getValue()) - sizes.getOrDefault(e.getKey(), 0L);
            }
            long newMarks = writes.keySet().stream().filter(p -> !firstApplied.containsKey(p)).count();
            return total + newMarks * WATERMARK_ITEM_BYTES;
        }

        boolean fits(Map<ItemKey, ItemMutation> touched, Map<String, List<Write>> writes) {
            return actionsWith(touched, writes) <= limits.maxActions() && bytesWith(touched, writes) <= limits.maxBytes();
        }

        void add(ChangeEvent event, Map<ItemKey, ItemMutation> touched, Map<String, List<Write>> writes) {
            bytes = bytesWith(touched, writes);
            touched.forEach((k, m) -> {
                mutations.put(k, m);
                sizes.put(k, sizeOf(m));
            });
            writes.keySet().forEach(p -> firstApplied.putIfAbsent(p, event.sequenceNumber()));
            events.add(event);
        }

        Chunk build() {
            SequenceNumber last = events.get(events.size() - 1).sequenceNumber();
            Map<String, WatermarkAdvance> marks = new LinkedHashMap<>();
            firstApplied.forEach((p, first) -> marks.put(p, new WatermarkAdvance(p, first, last)));
            return new Chunk(events, mutations, marks);
        }
    }

    static long sizeOf(ItemMutation m) {
        long key = m.key().pk().length() + m.key().sk().length() + 4;
        if (m instanceof ItemMutation.Replace r) {
            return key + ItemSize.of(r.attributes());
        }
        if (m instanceof ItemMutation.Update u) {
            return key + ItemSize.of(u.sets()) + u.adds().keySet().stream().mapToLong(n -> n.length() + 24).sum();
        }
        return key;
    }
}
