package io.projector.internal.plan;

import io.projector.ChangeEvent;
import io.projector.SequenceNumber;
import java.util.Map;

/**
 * What the planner needs to know about hand-offs in progress: which projections are in one, with
 * their rule, the markers loaded for the items of the events, whether the events come from the
 * backfill's scan (then no watermark moves: a scan has no stream position), and, per projection,
 * the stream change at which its hand-off ended on this shard.
 *
 * @param endsAt per projection, the first change no longer judged by the rule (absent: all are)
 */
public record HandOff(Map<String, HandOffRule> rules, Map<MarkerKey, AppliedVersion> markers, boolean scan,
                      Map<String, SequenceNumber> endsAt) {

    public static final HandOff NONE = new HandOff(Map.of(), Map.of(), false);

    public HandOff {
        rules = Map.copyOf(rules);
        markers = Map.copyOf(markers);
        endsAt = Map.copyOf(endsAt);
    }

    public HandOff(Map<String, HandOffRule> rules, Map<MarkerKey, AppliedVersion> markers, boolean scan) {
        this(rules, markers, scan, Map.of());
    }

    public boolean active(String projection) {
        return rules.containsKey(projection);
    }

    /**
     * Whether this change is judged by the projection's rule: decided per change, not per batch, so
     * a batch that runs past the end applies what follows the end as the plain stream does.
     */
    public boolean judges(String projection, ChangeEvent event) {
        if (!rules.containsKey(projection)) {
            return false;
        }
        SequenceNumber end = endsAt.get(projection);
        return end == null || end.isAfter(event.sequenceNumber());
    }

    public HandOffRule rule(String projection) {
        return rules.get(projection);
    }
}
