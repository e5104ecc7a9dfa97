package io.projector.internal;

import io.projector.ChangeEvent;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Loads the markers a hand-off needs: each active projection against each item of the events it wants. */
final class MarkerLoader {

    private MarkerLoader() {
    }

    static HandOff load(AppliedVersionStore store, Map<String, HandOffRule> rules, Map<String, Set<String>> entityTypes,
                        List<ChangeEvent> events, boolean scan) {
        if (rules.isEmpty()) {
            return HandOff.NONE;
        }
        Set<MarkerKey> keys = new LinkedHashSet<>();
        for (String projection : rules.keySet()) {
            Set<String> types = entityTypes.getOrDefault(projection, Set.of());
            for (ChangeEvent e : events) {
                if (types.contains(e.entityType()) || types.contains(e.previousEntityType())) {
                    keys.add(new MarkerKey(projection, SourceKeys.of(e.keys().asMap())));
                }
            }
        }
        return new HandOff(rules, store.load(keys), scan);
    }
}
