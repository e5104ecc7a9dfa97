package io.projector.internal;

import io.projector.ChangeEvent;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Loads the markers a hand-off needs: each active projection against each item of the events. */
final class MarkerLoader {

    private MarkerLoader() {
    }

    static HandOff load(AppliedVersionStore store, Map<String, HandOffRule> rules, List<ChangeEvent> events, boolean scan) {
        if (rules.isEmpty()) {
            return HandOff.NONE;
        }
        Set<String> items = new LinkedHashSet<>();
        events.forEach(e -> items.add(SourceKeys.of(e.keys().asMap())));
        Set<MarkerKey> keys = new LinkedHashSet<>();
        for (String projection : rules.keySet()) {
            items.forEach(item -> keys.add(new MarkerKey(projection, item)));
        }
        return new HandOff(rules, store.load(keys), scan);
    }
}
