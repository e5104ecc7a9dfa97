package io.projector.internal.plan;

import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.ProjectionFailedException;
import io.projector.SequenceNumber;
import io.projector.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.MDC;

/**
 * One event through its projections: routed by entity type, skipped where a watermark is past it,
 * parked where its item waits behind a parked change or a write was refused, judged by the hand-off
 * rule, then projected; a change no projection wants is parked only if told to.
 */
final class EventProjector {

    private final Routes routes;
    private final FailurePolicies policies;
    private final ChunkPlanner.Unrouted unrouted;

    EventProjector(Routes routes, FailurePolicies policies, ChunkPlanner.Unrouted unrouted) {
        this.routes = routes;
        this.policies = policies;
        this.unrouted = unrouted;
    }

    Projected project(ChangeEvent event, Map<String, SequenceNumber> watermarks, ParkingLot lot, Set<String> only,
                      HandOff handOff, Map<MarkerKey, AppliedVersion> markers) {
        Projected out = new Projected();
        String sourceKey = SourceKeys.of(event.keys().asMap());
        List<Projection> wanting = routes.of(event);
        if (wanting.isEmpty() && (only == null || only.contains(ChunkPlanner.NO_PROJECTION))) {
            if (event.entityType().isEmpty() && unrouted.parkMissingType()) {
                out.parked.add(new ParkedChange(ChunkPlanner.NO_PROJECTION, event, "the item has no entity-type attribute", "MissingEntityType"));
            } else if (!event.entityType().isEmpty() && unrouted.parkUnknownType()) {
                out.parked.add(new ParkedChange(ChunkPlanner.NO_PROJECTION, event,
                        "no projection wants entity type '" + event.entityType() + "'", "UnknownEntityType"));
            }
            return out;
        }
        for (Projection p : wanting) {
            if (only != null && !only.contains(p.name())) {
                continue;
            }
            SequenceNumber mark = watermarks.get(p.name());
            if (mark != null && !event.sequenceNumber().isAfter(mark)) {
                continue;
            }
            String forced = lot.forcedReason(p.name(), event.sequenceNumber());
            if (forced != null) {
                policies.park(out, p.name(), event, forced, "WriteRefused", null);
                continue;
            }
            if (lot.isBlocked(p.name(), sourceKey)) {
                out.parked.add(new ParkedChange(p.name(), event,
                        "waits behind an earlier parked change of the same item (" + sourceKey + ")", ParkedChange.WAITS_BEHIND));
                continue;
            }
            HandOffVerdict verdict = HandOffVerdict.of(handOff, p.name(), sourceKey, event, markers);
            if (verdict.action() == HandOffRule.Action.SKIP) {
                continue;
            }
            if (verdict.action() == HandOffRule.Action.VIOLATION) {
                policies.park(out, p.name(), event, verdict.reason(), "HandOffViolation", null);
                continue;
            }
            if (verdict.action() == HandOffRule.Action.MARK_ONLY) {
                out.markers.put(verdict.marker(), verdict.next());
                continue;
            }
            ChangeEvent seen = verdict.seen();
            // What the projection logs carries its name (the shard is in the MDC already).
            MDC.put("projection", p.name());
            try {
                List<Write> writes = new ArrayList<>();
                if (seen == event || p.entityTypes().contains(seen.entityType())) {
                    for (ChangeEvent e : Routes.asSeenBy(p, seen)) {
                        writes.addAll(ProjectionCalls.call(p, e));
                    }
                }
                ProjectionCalls.check(p, event, writes);
                if (!writes.isEmpty()) {
                    out.writes.put(p.name(), writes);
                }
                if (verdict.marker() != null) {
                    out.markers.put(verdict.marker(), verdict.next());
                }
            } catch (ProjectionFailedException e) {
                policies.park(out, p.name(), event, e.reason(), e.getCause() != null ? e.getCause().getClass().getSimpleName() : "ProjectionFailedException", e.getCause());
            } finally {
                MDC.remove("projection");
            }
        }
        return out;
    }
}
