package io.projector.internal.plan;

import io.projector.ChangeEvent;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.ProjectionFailedException;
import io.projector.SequenceNumber;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans events into chunks: each event goes through its projections ({@link EventProjector}), its
 * writes are coalesced per read-model item into the chunk being built ({@link ChunkBuilder}), and a
 * chunk is cut at an event boundary before its transaction would pass the action or byte limit.
 * Events at or below a projection's watermark are not given to that projection again. A change a
 * projection cannot project is parked (or, under the HALT policy, stops the plan with a
 * {@link ProjectionFailedException}). Pure: no I/O.
 */
public final class ChunkPlanner {

    /** A projection that throws is called this many times before its change is parked. */
    static final int PROJECTION_ATTEMPTS = ProjectionCalls.ATTEMPTS;

    /** The projection name under which changes no projection wants are parked. */
    public static final String NO_PROJECTION = "*";

    /** What to do with a change no projection wants. */
    public record Unrouted(boolean parkMissingType, boolean parkUnknownType) {
        public static final Unrouted IGNORE = new Unrouted(false, false);
    }

    private final TransactionLimits limits;
    private final FailurePolicies policies;
    private final EventProjector projector;
    /** The projections committed by guarded windows; the others in transactions. */
    private final Set<String> guarded;
    private final List<Projection> projections;
    private final Unrouted unrouted;

    public ChunkPlanner(List<Projection> projections, TransactionLimits limits) {
        this(projections, limits, Unrouted.IGNORE);
    }

    public ChunkPlanner(List<Projection> projections, TransactionLimits limits, Unrouted unrouted) {
        this(projections, limits, unrouted, false);
    }

    /**
     * @param guarded plan guarded windows for every projection: see {@link #ChunkPlanner(List, TransactionLimits, Unrouted, Set)}
     */
    public ChunkPlanner(List<Projection> projections, TransactionLimits limits, Unrouted unrouted, boolean guarded) {
        this(projections, limits, unrouted, guarded ? names(projections) : Set.of());
    }

    /**
     * @param guarded the projections whose events, planned apart from the others ({@link #passes()}),
     *                become guarded windows: one chunk (no transaction limit applies) that keeps every
     *                write with its sequence number, an item written in one style only; a hand-off's
     *                events are still planned into transactions within {@code limits}
     */
    public ChunkPlanner(List<Projection> projections, TransactionLimits limits, Unrouted unrouted, Set<String> guarded) {
        this.guarded = Set.copyOf(guarded);
        this.projections = List.copyOf(projections);
        this.unrouted = unrouted;
        this.limits = limits;
        this.policies = new FailurePolicies(projections);
        this.projector = new EventProjector(new Routes(projections), policies, unrouted);
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
        // A hand-off's markers must move atomically with what they judge: its events go in transactions.
        boolean window = !guarded.isEmpty() && guardedOnly(only) && !handOff.scan() && handOff.rules().isEmpty();
        ChunkBuilder current = new ChunkBuilder(limits, policies, handOff.scan(), window);
        SequenceNumber previous = null;
        for (ChangeEvent event : events) {
            if (previous != null && !event.sequenceNumber().isAfter(previous)) {
                throw new IllegalStateException("events out of stream order: " + event.sequenceNumber() + " after " + previous);
            }
            previous = event.sequenceNumber();
            Projected projected = projector.project(event, watermarks, lot, only, handOff, markers);
            Map<ItemKey, ItemMutation> touched = current.foldParkingFailures(event, projected);
            if (!current.fits(touched, projected) && current.hasContent()) {
                chunks.add(current.build());
                current = new ChunkBuilder(limits, policies, handOff.scan(), window);
                touched = current.foldParkingFailures(event, projected);
            }
            if (!current.fits(touched, projected)) {
                String reason = "its writes need " + current.actionsWith(touched, projected) + " transaction actions and about "
                        + current.bytesWith(touched, projected) + " bytes, more than one transaction holds ("
                        + limits.maxActions() + " actions, " + limits.maxBytes() + " bytes)";
                for (String p : new ArrayList<>(projected.writes.keySet())) {
                    policies.park(projected, p, event, reason, ProjectionFailedException.class.getSimpleName(), null);
                }
                touched = Map.of();
                if (!current.fits(touched, projected) && current.hasContent()) {
                    chunks.add(current.build());
                    current = new ChunkBuilder(limits, policies, handOff.scan(), window);
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
        if (!current.isEmpty()) {
            chunks.add(current.build());
        }
        return chunks;
    }

    /** What a mutation adds to a transaction's bytes, as {@link ChunkBuilder} counts it. */
    static long sizeOf(ItemMutation m) {
        return ChunkBuilder.sizeOf(m);
    }

    /** Whether this planner plans guarded windows for some projections (outside hand-offs). */
    public boolean guarded() {
        return !guarded.isEmpty();
    }

    /**
     * The projection sets to plan apart, each a {@code only} for {@link #plan}: the transactional
     * projections (with the changes no projection wants), then the guarded ones; just null (every
     * projection) when all are of one kind.
     */
    public List<Set<String>> passes() {
        Set<String> transactional = new java.util.LinkedHashSet<>(names(projections));
        transactional.removeAll(guarded);
        if (guarded.isEmpty() || transactional.isEmpty()) {
            return java.util.Collections.singletonList(null);
        }
        transactional.add(NO_PROJECTION);
        return List.of(transactional, Set.copyOf(guarded));
    }

    /** Whether every projection planned (null: all) is guarded. */
    private boolean guardedOnly(Set<String> only) {
        Set<String> planned = only == null ? names(projections) : only;
        return planned.stream().allMatch(p -> NO_PROJECTION.equals(p) || guarded.contains(p));
    }

    private static Set<String> names(List<Projection> projections) {
        Set<String> out = new java.util.LinkedHashSet<>();
        projections.forEach(p -> out.add(p.name()));
        return out;
    }

    /** The same planner planning transactions only: for a shard whose changes cannot carry a stream position. */
    public ChunkPlanner transactional() {
        return guarded.isEmpty() ? this : new ChunkPlanner(projections, limits, unrouted, Set.of());
    }
}
