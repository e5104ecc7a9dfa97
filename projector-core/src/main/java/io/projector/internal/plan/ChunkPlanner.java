package io.projector.internal.plan;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.FailurePolicy;
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
import java.util.Set;
import org.slf4j.MDC;

/**
 * Routes events to projections and plans them into chunks: the writes of consecutive events are
 * coalesced per read-model item, and a chunk is cut at an event boundary before its transaction
 * would pass the action or byte limit. Events at or below a projection's watermark are not given
 * to that projection again. A change a projection cannot project is parked (or, under the HALT
 * policy, stops the plan with a {@link ProjectionFailedException}). Pure: no I/O.
 */
public final class ChunkPlanner {

    /** A projection that throws is called this many times before its change is parked. */
    static final int PROJECTION_ATTEMPTS = 3;

    /** The projection name under which changes no projection wants are parked. */
    public static final String NO_PROJECTION = "*";

    /** What to do with a change no projection wants. */
    public record Unrouted(boolean parkMissingType, boolean parkUnknownType) {
        public static final Unrouted IGNORE = new Unrouted(false, false);
    }

    private final Map<String, List<Projection>> byEntityType = new HashMap<>();
    private final Map<String, Projection> byName = new LinkedHashMap<>();
    private final TransactionLimits limits;
    private final Unrouted unrouted;

    public ChunkPlanner(List<Projection> projections, TransactionLimits limits) {
        this(projections, limits, Unrouted.IGNORE);
    }

    public ChunkPlanner(List<Projection> projections, TransactionLimits limits, Unrouted unrouted) {
        this.limits = limits;
        this.unrouted = unrouted;
        for (Projection p : projections) {
            byName.put(p.name(), p);
            for (String type : p.entityTypes()) {
                byEntityType.computeIfAbsent(type, t -> new ArrayList<>()).add(p);
            }
        }
    }

    /** Plans with nothing parked so far. */
    public List<Chunk> plan(List<ChangeEvent> events, Map<String, SequenceNumber> watermarks) {
        return plan(events, watermarks, ParkingLot.empty(), null);
    }

    /**
     * @param events     consecutive events of one shard, in stream order
     * @param watermarks per projection, the last sequence number already committed on this shard (absent: none)
     * @param parking    items with parked changes, and changes to park; not changed by planning
     * @param only       plan for these projections only (null: all; {@link #NO_PROJECTION} among them: changes no projection wants)
     */
    public List<Chunk> plan(List<ChangeEvent> events, Map<String, SequenceNumber> watermarks, ParkingLot parking, Set<String> only) {
        return plan(events, watermarks, parking, only, HandOff.NONE);
    }

    /**
     * As {@link #plan(List, Map, ParkingLot, Set)}, for projections in a backfill hand-off: each of
     * their changes is first judged by the {@link HandOffRule} against the item's marker, and the
     * chunk moves the markers of what it applies.
     */
    public List<Chunk> plan(List<ChangeEvent> events, Map<String, SequenceNumber> watermarks, ParkingLot parking, Set<String> only,
                            HandOff handOff) {
        ParkingLot lot = parking.copy();
        Map<MarkerKey, AppliedVersion> markers = new HashMap<>(handOff.markers());
        List<Chunk> chunks = new ArrayList<>();
        Builder current = new Builder(handOff.scan());
        SequenceNumber previous = null;
        for (ChangeEvent event : events) {
            if (previous != null && !event.sequenceNumber().isAfter(previous)) {
                throw new IllegalStateException("events out of stream order: " + event.sequenceNumber() + " after " + previous);
            }
            previous = event.sequenceNumber();
            Projected projected = project(event, watermarks, lot, only, handOff, markers);
            Map<ItemKey, ItemMutation> touched = current.foldParkingFailures(event, projected);
            if (!current.fits(touched, projected) && current.hasContent()) {
                chunks.add(current.build());
                current = new Builder(handOff.scan());
                touched = current.foldParkingFailures(event, projected);
            }
            if (!current.fits(touched, projected)) {
                String reason = "its writes need " + current.actionsWith(touched, projected) + " transaction actions and about "
                        + current.bytesWith(touched, projected) + " bytes, more than one transaction holds ("
                        + limits.maxActions() + " actions, " + limits.maxBytes() + " bytes)";
                for (String p : new ArrayList<>(projected.writes.keySet())) {
                    park(projected, p, event, reason, ProjectionFailedException.class.getSimpleName(), null);
                }
                touched = Map.of();
                if (!current.fits(touched, projected) && current.hasContent()) {
                    chunks.add(current.build());
                    current = new Builder(handOff.scan());
                }
            }
            // A change parked during a hand-off must be re-driven by the hand-off rule: the letter says so.
            projected.parked.replaceAll(c -> handOff.active(c.projection())
                    ? c.inHandOff(handOff.rule(c.projection()).versionAttribute(), handOff.scan()) : c);
            current.add(event, touched, projected, markers);
            markers.putAll(projected.markers);
            projected.parked.stream().filter(c -> !NO_PROJECTION.equals(c.projection()))
                    .forEach(c -> lot.block(c.projection(), SourceKeys.of(c.event().keys().asMap())));
        }
        if (!current.events.isEmpty()) {
            chunks.add(current.build());
        }
        return chunks;
    }

    /** One event's writes per projection, and the projections that park it instead. */
    private final class Projected {
        final Map<String, List<Write>> writes = new LinkedHashMap<>();
        final List<ParkedChange> parked = new ArrayList<>();
        final Map<MarkerKey, AppliedVersion> markers = new LinkedHashMap<>();

        Set<String> watermarkProjections() {
            Set<String> out = new java.util.LinkedHashSet<>(writes.keySet());
            markers.keySet().forEach(k -> out.add(k.projection()));
            parked.stream().filter(c -> !NO_PROJECTION.equals(c.projection())).forEach(c -> out.add(c.projection()));
            return out;
        }
    }

    private Projected project(ChangeEvent event, Map<String, SequenceNumber> watermarks, ParkingLot lot, Set<String> only,
                              HandOff handOff, Map<MarkerKey, AppliedVersion> markers) {
        Projected out = new Projected();
        String sourceKey = SourceKeys.of(event.keys().asMap());
        List<Projection> routes = routes(event);
        if (routes.isEmpty() && (only == null || only.contains(NO_PROJECTION))) {
            if (event.entityType().isEmpty() && unrouted.parkMissingType()) {
                out.parked.add(new ParkedChange(NO_PROJECTION, event, "the item has no entity-type attribute", "MissingEntityType"));
            } else if (!event.entityType().isEmpty() && unrouted.parkUnknownType()) {
                out.parked.add(new ParkedChange(NO_PROJECTION, event,
                        "no projection wants entity type '" + event.entityType() + "'", "UnknownEntityType"));
            }
            return out;
        }
        for (Projection p : routes) {
            if (only != null && !only.contains(p.name())) {
                continue;
            }
            SequenceNumber mark = watermarks.get(p.name());
            if (mark != null && !event.sequenceNumber().isAfter(mark)) {
                continue;
            }
            String forced = lot.forcedReason(p.name(), event.sequenceNumber());
            if (forced != null) {
                park(out, p.name(), event, forced, "WriteRefused", null);
                continue;
            }
            if (lot.isBlocked(p.name(), sourceKey)) {
                out.parked.add(new ParkedChange(p.name(), event,
                        "waits behind an earlier parked change of the same item (" + sourceKey + ")", ParkedChange.WAITS_BEHIND));
                continue;
            }
            ChangeEvent seen = event;
            MarkerKey marker = null;
            AppliedVersion next = null;
            if (handOff.judges(p.name(), event)) {
                marker = new MarkerKey(p.name(), sourceKey);
                HandOffRule.Decision d = handOff.scan()
                        ? handOff.rule(p.name()).forScan(markers.get(marker), event)
                        : handOff.rule(p.name()).forStream(markers.get(marker), event);
                if (d.action() == HandOffRule.Action.SKIP) {
                    continue;
                }
                if (d.action() == HandOffRule.Action.VIOLATION) {
                    park(out, p.name(), event, d.reason(), "HandOffViolation", null);
                    continue;
                }
                if (d.action() == HandOffRule.Action.MARK_ONLY) {
                    out.markers.put(marker, d.next());
                    continue;
                }
                if (d.action() == HandOffRule.Action.APPLY_AS_INSERT) {
                    seen = asInsert(event);
                }
                next = d.next();
            }
            // What the projection logs carries its name (the shard is in the MDC already).
            MDC.put("projection", p.name());
            try {
                List<Write> writes = new ArrayList<>();
                if (seen == event || p.entityTypes().contains(seen.entityType())) {
                    for (ChangeEvent e : asSeenBy(p, seen)) {
                        writes.addAll(call(p, e));
                    }
                }
                check(p, event, writes);
                if (!writes.isEmpty()) {
                    out.writes.put(p.name(), writes);
                }
                if (marker != null) {
                    out.markers.put(marker, next);
                }
            } catch (ProjectionFailedException e) {
                park(out, p.name(), event, e.reason(), e.getCause() != null ? e.getCause().getClass().getSimpleName() : "ProjectionFailedException", e.getCause());
            } finally {
                MDC.remove("projection");
            }
        }
        return out;
    }

    /** Moves a projection's change from writes to parked, unless its policy is to halt. */
    private void park(Projected projected, String projection, ChangeEvent event, String reason, String errorType, Throwable cause) {
        if (byName.get(projection).failurePolicy() == FailurePolicy.HALT) {
            throw new ProjectionFailedException(projection, event, reason + " (policy: halt)", cause);
        }
        projected.writes.remove(projection);
        projected.markers.keySet().removeIf(k -> k.projection().equals(projection));
        projected.parked.add(new ParkedChange(projection, event, reason, errorType));
    }

    private static void check(Projection p, ChangeEvent event, List<Write> writes) {
        for (Write w : writes) {
            if (w == null) {
                throw new ProjectionFailedException(p.name(), event, "project() returned a null write", null);
            }
            if (w.key().pk().startsWith(EngineKeys.RESERVED_PREFIX)) {
                throw new ProjectionFailedException(p.name(), event,
                        "wrote to " + w.key() + ", but partition keys starting with " + EngineKeys.RESERVED_PREFIX + " are reserved for the engine", null);
            }
        }
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

    /** The change as a projection sees it when the read model holds nothing of the item: its new image arriving. */
    private static ChangeEvent asInsert(ChangeEvent event) {
        if (event.type() == ChangeType.INSERT) {
            return event;
        }
        return new ChangeEvent(ChangeType.INSERT, event.keys(), Optional.empty(), event.newImage(), event.entityType(),
                event.sequenceNumber(), event.approximateCreationTime(), "");
    }

    /**
     * Calls the projection, again on failure: a projection that fails by chance gets a second chance
     * before its change is parked. Whatever it throws blames the change — a checked exception thrown
     * sneakily (Kotlin, Scala, Lombok), an {@code Error}, a class missing from its plugin jar, a stack
     * overflow — except a fatal VM error, which must end the worker before anything more is committed,
     * and an interrupt, which means the shard is being given up (not that the change is bad).
     */
    private static List<Write> call(Projection p, ChangeEvent event) {
        Throwable last = null;
        for (int attempt = 1; attempt <= PROJECTION_ATTEMPTS; attempt++) {
            try {
                List<Write> writes = p.project(event);
                if (writes == null) {
                    throw new ProjectionFailedException(p.name(), event, "project() returned null instead of a list", null);
                }
                return writes;
            } catch (ProjectionFailedException e) {
                throw e;
            } catch (Throwable t) {
                if (FatalErrors.isFatal(t)) {
                    throw (Error) t;
                }
                if (t instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
                    Thread.currentThread().interrupt();
                    throw new ShardStoppedException(String.valueOf(MDC.get("shard")), "was interrupted inside projection '" + p.name() + "'");
                }
                last = t;
            }
        }
        throw new ProjectionFailedException(p.name(), event, describe(last), last);
    }

    /** One line on what the projection threw, with what to do where the type says it. */
    static String describe(Throwable t) {
        String what = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
        if (t instanceof LinkageError) {
            return what + " (a class the projection needs is missing or incompatible: add it to the plugin jar or the class path, then re-drive)";
        }
        if (t instanceof StackOverflowError) {
            return what + " (the projection recursed too deep on this change)";
        }
        return what;
    }

    private final class Builder {
        private final List<ChangeEvent> events = new ArrayList<>();
        private final Map<ItemKey, ItemMutation> mutations = new LinkedHashMap<>();
        private final Map<ItemKey, Long> sizes = new HashMap<>();
        private final Map<String, SequenceNumber> firstApplied = new LinkedHashMap<>();
        private final List<ParkedChange> parked = new ArrayList<>();
        private final Map<MarkerKey, MarkerWrite> markerWrites = new LinkedHashMap<>();
        private final boolean scan;
        private long bytes;

        Builder(boolean scan) {
            this.scan = scan;
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
                    park(projected, e.projection(), event, e.reason(), "WriteConflict", e.getCause());
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
    }

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
