package io.projector.internal.handoff;

import io.projector.ChangeEvent;
import io.projector.SequenceNumber;
import io.projector.internal.plan.HandOff;
import io.projector.internal.plan.HandOffRule;
import io.projector.internal.shard.HandOffSource;
import io.projector.internal.store.BackfillStore;
import io.projector.internal.store.HandOffLedger;
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
 * and the backfill stops with the reason. Once the scan is complete, its end plus a margin for
 * clock skew bounds the hand-off: the first change newer than that, or a read that finds the shard
 * at its tip after that time, or the shard's own end, ends it on the shard, change by change
 * rather than batch by batch. The end is recorded in the ledger, so a later processor of the
 * shard (a restart, a lease move) never judges by the rule again; a shard opened after the end
 * (a rollover's child) ends it at its first change or read without joining; and the registration
 * is retired once it has ended everywhere.
 */
public final class HandOffTracker implements HandOffSource {

    private static final Logger log = LoggerFactory.getLogger(HandOffTracker.class);

    private final String shardId;
    private final String workerId;
    private final List<String> projections;
    private final Map<String, Set<String>> entityTypes;
    private final HandOffLedger ledger;
    private final long marginMillis;
    /** How often registrations are re-read: the margin, within 1 to 10 s (short margins are for tests and DynamoDB Local). */
    private final long refreshMillis;
    private final Clock clock;
    private final Map<String, HandOffRule> active = new HashMap<>();
    /** Per projection with a complete scan: changes created after this (epoch millis) postdate the scan. */
    private final Map<String, Long> endAfter = new HashMap<>();
    /** Per projection, the first change seen past the end: it and all after it are applied as the plain stream's. */
    private final Map<String, SequenceNumber> endsAt = new HashMap<>();
    private final Set<String> refused = new HashSet<>();
    private final Set<String> ended = new HashSet<>();
    /** The newest change this tracker saw committed, which the watermark is raised to when the hand-off ends. */
    private SequenceNumber lastProcessed;
    private long refreshedAt = Long.MIN_VALUE;

    /** @param entityTypes per projection, the entity types it wants */
    public HandOffTracker(String shardId, String workerId, Map<String, Set<String>> entityTypes, HandOffLedger ledger,
                          Duration margin, Clock clock) {
        this.shardId = shardId;
        this.workerId = workerId;
        this.entityTypes = Map.copyOf(entityTypes);
        this.projections = List.copyOf(entityTypes.keySet());
        this.ledger = ledger;
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
        Map<String, BackfillStore.Registration> registrations = ledger.registrations(projections);
        for (String p : projections) {
            BackfillStore.Registration r = registrations.get(p);
            if (r == null || r.status() == BackfillStore.Status.RETIRED) {
                if (active.remove(p) != null) {
                    log.info("shard {}: the backfill registration of '{}' is retired or gone; its hand-off ends", shardId, p);
                }
                endAfter.remove(p);
                endsAt.remove(p);
                continue;
            }
            if (ended.contains(p) || refused.contains(p)) {
                continue;
            }
            if (!active.containsKey(p) && !take(p, r, watermarks, now)) {
                continue;
            }
            active.put(p, new HandOffRule(r.versionAttribute()));
            if (r.status() == BackfillStore.Status.COMPLETE) {
                endAfter.put(p, r.finishedAtMillis() + marginMillis);
            }
        }
        // Only after a successful read: a failed one is tried again at once.
        refreshedAt = now;
    }

    /** Whether this shard judges the projection's changes by the rule from now on. */
    private boolean take(String projection, BackfillStore.Registration r, Map<String, SequenceNumber> watermarks, long now) {
        HandOffLedger.ShardState state = ledger.state(projection, shardId);
        if (state == HandOffLedger.ShardState.ENDED) {
            ended.add(projection);
            if (r.status() == BackfillStore.Status.COMPLETE && ledger.retireIfEnded(projection)) {
                // The processor that recorded the end may have stopped before it could retire the registration.
                log.info("the hand-off of '{}' has ended on every shard: its backfill registration is retired", projection);
            }
            return false;
        }
        if (state == HandOffLedger.ShardState.JOINED) {
            return true;
        }
        if (r.status() == BackfillStore.Status.COMPLETE) {
            // The scan is over: nobody waits for a join. Changes up to the end are still judged by the
            // rule (this shard may hold some: opened during the scan, read late); the first one past
            // it, or a read at the tip after it, ends the hand-off here.
            return true;
        }
        if (watermarks.containsKey(projection)) {
            String reason = "projection '" + projection + "' already applied changes of shard " + shardId
                    + " without a hand-off (it ran before the backfill was registered); rebuild it into a new table instead (projector rebuild)";
            ledger.refuse(projection, shardId, reason, now);
            refused.add(projection);
            log.error("shard {}: cannot join the backfill of '{}': {}", shardId, projection, reason);
            return false;
        }
        ledger.join(projection, shardId, workerId, now);
        log.info("shard {}: joined the backfill hand-off of '{}': its changes are applied by version from here on", shardId, projection);
        return true;
    }

    @Override
    public boolean anyActive() {
        return !active.isEmpty();
    }

    /** Projections in a hand-off on this shard: the backfill covers what their watermark has not reached. */
    @Override
    public Set<String> joined() {
        return Set.copyOf(active.keySet());
    }

    /** Projections whose changes on this shard are judged by the hand-off rule now (until their end, where known). */
    public Set<String> active() {
        return Set.copyOf(active.keySet());
    }

    @Override
    public HandOff view(List<ChangeEvent> events) {
        for (String p : active.keySet()) {
            Long after = endAfter.get(p);
            if (after == null || endsAt.containsKey(p)) {
                continue;
            }
            events.stream().filter(e -> e.approximateCreationTime().toEpochMilli() > after).findFirst()
                    .ifPresent(e -> endsAt.put(p, e.sequenceNumber()));
        }
        return MarkerLoader.load(ledger::markers, active, entityTypes, events, false, endsAt);
    }

    @Override
    public void processed(List<ChangeEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        SequenceNumber last = events.get(events.size() - 1).sequenceNumber();
        if (lastProcessed == null || last.isAfter(lastProcessed)) {
            lastProcessed = last;
        }
        for (String p : List.copyOf(endsAt.keySet())) {
            if (active.containsKey(p)) {
                end(p, "its changes are now newer than the end of the scan (from " + endsAt.get(p) + " on)");
            }
        }
    }

    @Override
    public void atTip() {
        long now = clock.millis();
        for (Map.Entry<String, Long> e : Map.copyOf(endAfter).entrySet()) {
            if (now > e.getValue() && active.containsKey(e.getKey())) {
                end(e.getKey(), "the shard was read to its tip after the end of the scan: every change still to come postdates it");
            }
        }
    }

    @Override
    public void shardFinished() {
        for (String p : List.copyOf(active.keySet())) {
            end(p, "the shard is closed and every change of it was applied");
        }
    }

    /** Idempotent: a failed attempt is repeated whole by the caller's retry. */
    private void end(String projection, String why) {
        ledger.end(projection, shardId, lastProcessed, clock.millis());
        active.remove(projection);
        endAfter.remove(projection);
        endsAt.remove(projection);
        ended.add(projection);
        log.info("shard {}: hand-off of '{}' done ({}); recorded, so it stays done", shardId, projection, why);
        if (ledger.retireIfEnded(projection)) {
            log.info("the hand-off of '{}' has ended on every shard: its backfill registration is retired", projection);
        }
    }
}
