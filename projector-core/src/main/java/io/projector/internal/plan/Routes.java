package io.projector.internal.plan;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Projection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which projections want a change, and the change each of them sees. */
final class Routes {

    private final Map<String, List<Projection>> byEntityType = new HashMap<>();

    Routes(List<Projection> projections) {
        for (Projection p : projections) {
            for (String type : p.entityTypes()) {
                byEntityType.computeIfAbsent(type, t -> new ArrayList<>()).add(p);
            }
        }
    }

    /** The projections that want this event: those of its entity type, and of its previous type when it changed. */
    List<Projection> of(ChangeEvent event) {
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
    static List<ChangeEvent> asSeenBy(Projection p, ChangeEvent event) {
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
}
