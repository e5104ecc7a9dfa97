package io.projector.internal;

import io.projector.ChangeEvent;
import java.util.List;
import java.util.Map;

/** The backfill's side of a hand-off: every scanned item is judged against its markers. */
public final class ScanHandOff implements HandOffSource {

    private final AppliedVersionStore store;
    private final Map<String, HandOffRule> rules;

    public ScanHandOff(AppliedVersionStore store, Map<String, HandOffRule> rules) {
        this.store = store;
        this.rules = Map.copyOf(rules);
    }

    @Override
    public HandOff view(List<ChangeEvent> events) {
        return MarkerLoader.load(store, rules, events, true);
    }

    @Override
    public boolean scan() {
        return true;
    }
}
