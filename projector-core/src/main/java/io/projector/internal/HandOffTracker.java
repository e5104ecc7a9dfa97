package io.projector.internal;

import io.projector.ChangeEvent;
import io.projector.SequenceNumber;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream side of hand-offs for one shard. A projection registered for a backfill is joined on
 * the shard (recorded, so the backfill knows every change after its scan starts is judged by the
 * rule) unless the projection already applied changes there without one; then the join is refused
 * and the backfill stops with the reason. The hand-off ends on the shard with the first change
 * newer than the scan's end plus a margin for clock skew: every later change postdates the scan.
 */
public final class HandOffTracker implements HandOffSource {

    private static final Logger log = LoggerFactory.getLogger(HandOffTracker.class);

    private final String shardId;
    private final String workerId;
    private final List<String> projections;
    private final Map<String, Set<String>> entityTypes;
    private final BackfillStore backfills;
    private final AppliedVersionStore markers;
    private final long marginMillis;
    /** How often registrations are re-read: the margin, within 1 to 10 s (short margins are for tests and DynamoDB Local). */
    private final long refreshMillis;
    private final Clock clock;
    private final Map<String, HandOffRule> active = new HashMap<>();
    private final Map<String, Long> finishedAt = new HashMap<>();
    private final Set<String> joined = new HashSet<>();
    private final Set<String> refused = new HashSet<>();
    private final Set<String> ended = new HashSet<>();
    private long lastEventMillis;
    private long refreshedAt = Long.MIN_VALUE;

    /** @param entityTypes per projection, the entity types it wants */
    public HandOffTracker(String shardId, String workerId, Map<String, Set<String>> entityTypes, BackfillStore backfills,
                          AppliedVersionStore markers, Duration margin, Clock clock) {
        this.shardId = shardId;
        this.workerId = workerId;
        this.entityTypes = Map.copyOf(entityTypes);
        this.projections = List.copyOf(entityTypes.keySet());
        this.backfills = backfills;
        this.markers = markers;
        this.marginMillis = margin.toMillis();
        this.refreshMillis = Math.max(1_000, Math.min(10_000, marginMillis));
        this.clock = clock;
    }

    @Override
    public boolean refreshDue() {
        return refreshedAt == Long.MIN_VALUE || clock.millis() - refreshedAt >= refreshMillis;
    }

    @Override
    public void refresh(Map<String, SequenceNumber> watermarks) {
        long now = clock.millis();
        Map<String, BackfillStore.Registration> registrations = backfills.registrations(projections);
        for (String p : projections) {
            BackfillStore.Registration r = registrations.get(p);
            if (r == null) {
                if (active.remove(p) != null) {
                    log.info("shard {}: the backfill registration of '{}' is gone; its hand-off ends", shardId, p);
                }
                finishedAt.remove(p);
                continue;
            }
            if (ended.contains(p) || refused.contains(p)) {
                continue;
            }
            if (!joined.contains(p) && !join(p, watermarks, now)) {
                continue;
            }
            active.put(p, new HandOffRule(r.versionAttribute()));
            if (r.status() == BackfillStore.Status.COMPLETE) {
                finishedAt.put(p, r.finishedAtMillis());
            }
        }
        checkEnded();
        // Only after a successful read: a failed one is tried again at once.
        refreshedAt = now;
    }

    private boolean join(String projection, Map<String, SequenceNumber> watermarks, long now) {
        if (backfills.joined(projection, shardId)) {
            joined.add(projection);
            return true;
        }
        if (watermarks.containsKey(projection)) {
            String reason = "projection '" + projection + "' already applied changes of shard " + shardId
                    + " without a hand-off (it ran before the backfill was registered); rebuild it into a new table instead (projector rebuild)";
            backfills.refuse(projection, shardId, reason, now);
            refused.add(projection);
            log.error("shard {}: cannot join the backfill of '{}': {}", shardId, projection, reason);
            return false;
        }
        backfills.join(projection, shardId, workerId, now);
        joined.add(projection);
        log.info("shard {}: joined the backfill hand-off of '{}': its changes are applied by version from here on", shardId, projection);
        return true;
    }

    @Override
    public void processed(long eventMillis) {
        lastEventMillis = Math.max(lastEventMillis, eventMillis);
        checkEnded();
    }

    private void checkEnded() {
        for (Map.Entry<String, Long> e : Map.copyOf(finishedAt).entrySet()) {
            if (lastEventMillis > e.getValue() + marginMillis && active.remove(e.getKey()) != null) {
                ended.add(e.getKey());
                finishedAt.remove(e.getKey());
                log.info("shard {}: hand-off of '{}' done: changes are now newer than the end of its scan", shardId, e.getKey());
            }
        }
    }

    @Override
    public boolean anyActive() {
        return !active.isEmpty();
    }

    @Override
    public Set<String> joined() {
        return Set.copyOf(joined);
    }

    /** Projections whose changes on this shard are judged by the hand-off rule now. */
    public Set<String> active() {
        return Set.copyOf(active.keySet());
    }

    @Override
    public HandOff view(List<ChangeEvent> events) {
        return MarkerLoader.load(markers, active, entityTypes, events, false);
    }
}
