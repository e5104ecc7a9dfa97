package io.projector.internal.handoff;

import io.projector.ChangeEvent;
import io.projector.internal.plan.HandOff;
import io.projector.internal.plan.HandOffRule;
import io.projector.internal.shard.HandOffSource;
import io.projector.internal.store.AppliedVersionStore;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The backfill's side of a hand-off: every scanned item is judged against its markers. */
public final class ScanHandOff implements HandOffSource {

    private final AppliedVersionStore store;
    private final Map<String, HandOffRule> rules;
    private final Map<String, Set<String>> entityTypes;

    /** @param entityTypes per projection, the entity types it wants (only their items need markers) */
    public ScanHandOff(AppliedVersionStore store, Map<String, HandOffRule> rules, Map<String, Set<String>> entityTypes) {
        this.store = store;
        this.rules = Map.copyOf(rules);
        this.entityTypes = Map.copyOf(entityTypes);
    }

    @Override
    public HandOff view(List<ChangeEvent> events) {
        return MarkerLoader.load(store::load, rules, entityTypes, events, true, Map.of());
    }

    @Override
    public boolean anyActive() {
        return !rules.isEmpty();
    }

    @Override
    public boolean scan() {
        return true;
    }
}
