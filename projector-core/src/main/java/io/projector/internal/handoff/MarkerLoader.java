package io.projector.internal.handoff;

import io.projector.ChangeEvent;
import io.projector.SequenceNumber;
import io.projector.internal.plan.AppliedVersion;
import io.projector.internal.plan.HandOff;
import io.projector.internal.plan.HandOffRule;
import io.projector.internal.plan.MarkerKey;
import io.projector.internal.plan.SourceKeys;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Loads the markers a hand-off needs: each active projection against each item of the events it wants and judges. */
final class MarkerLoader {

    private MarkerLoader() {
    }

    static HandOff load(Function<Collection<MarkerKey>, Map<MarkerKey, AppliedVersion>> store, Map<String, HandOffRule> rules,
                        Map<String, Set<String>> entityTypes, List<ChangeEvent> events, boolean scan, Map<String, SequenceNumber> endsAt) {
        if (rules.isEmpty()) {
            return HandOff.NONE;
        }
        HandOff without = new HandOff(rules, Map.of(), scan, endsAt);
        Set<MarkerKey> keys = new LinkedHashSet<>();
        for (String projection : rules.keySet()) {
            Set<String> types = entityTypes.getOrDefault(projection, Set.of());
            for (ChangeEvent e : events) {
                if ((types.contains(e.entityType()) || types.contains(e.previousEntityType())) && without.judges(projection, e)) {
                    keys.add(new MarkerKey(projection, SourceKeys.of(e.keys().asMap())));
                }
            }
        }
        return new HandOff(rules, keys.isEmpty() ? Map.of() : store.apply(keys), scan, endsAt);
    }
}
