package io.projector.internal.plan;

import io.projector.ChangeEvent;
import io.projector.FailurePolicy;
import io.projector.Projection;
import io.projector.ProjectionFailedException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What becomes of a change a projection cannot project: parked, or the plan stops (policy HALT). */
final class FailurePolicies {

    private final Map<String, Projection> byName = new LinkedHashMap<>();

    FailurePolicies(List<Projection> projections) {
        projections.forEach(p -> byName.put(p.name(), p));
    }

    /** Moves a projection's change from writes to parked, unless its policy is to halt. */
    void park(Projected projected, String projection, ChangeEvent event, String reason, String errorType, Throwable cause) {
        if (byName.get(projection).failurePolicy() == FailurePolicy.HALT) {
            throw new ProjectionFailedException(projection, event, reason + " (policy: halt)", cause);
        }
        projected.writes.remove(projection);
        projected.markers.keySet().removeIf(k -> k.projection().equals(projection));
        projected.parked.add(new ParkedChange(projection, event, reason, errorType));
    }
}
