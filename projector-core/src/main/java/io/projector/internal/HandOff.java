package io.projector.internal;

import java.util.Map;

/**
 * What the planner needs to know about hand-offs in progress: which projections are in one, with
 * their rule, the markers loaded for the items of the events, and whether the events come from the
 * backfill's scan (then no watermark moves: a scan has no stream position).
 */
public record HandOff(Map<String, HandOffRule> rules, Map<MarkerKey, AppliedVersion> markers, boolean scan) {

    public static final HandOff NONE = new HandOff(Map.of(), Map.of(), false);

    public HandOff {
        rules = Map.copyOf(rules);
        markers = Map.copyOf(markers);
    }

    public boolean active(String projection) {
        return rules.containsKey(projection);
    }

    public HandOffRule rule(String projection) {
        return rules.get(projection);
    }
}
