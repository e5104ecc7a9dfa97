package io.projector.internal.shard;

import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.commit.ConflictBackoff;
import io.projector.internal.commit.TransientErrors;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.HandOff;
import io.projector.internal.plan.ParkedChange;
import io.projector.internal.plan.ParkingLot;
import io.projector.internal.plan.ShardStoppedException;
import io.projector.internal.plan.SourceKeys;
import io.projector.internal.store.DeadLetterStore;
import io.projector.internal.store.ProjectionGaps;
import io.projector.internal.store.WatermarkStore;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.projector.ChangeEvent;
import io.projector.SequenceNumber;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Projects the events of one shard: plan, commit with retries, and on a watermark conflict reload
 * the watermarks and re-plan what is left, so every event takes effect exactly once. A chunk whose
 * writes DynamoDB refuses is split until the refused change is found; that change is parked for
 * its projection and the rest goes through. The KCL record processor and the backfill both drive this.
 */
public final class ShardProjector {

    private static final Logger log = LoggerFactory.getLogger(ShardProjector.class);
    private static final long PARKING_REFRESH_MILLIS = 10_000;
    /** The wait between rounds when the table refuses every call (access denied, missing table). */
    private static final long ENVIRONMENT_PAUSE_MILLIS = 5_000;
    /** Before parking a change behind another, the worker's view of the store must be at most this old. */
    private static final long PARKING_RECHECK_MILLIS = 1_000;

    private final String shardId;
    private final List<String> projections;
    private final ChunkPlanner planner;
    private final ShardTable table;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final EngineCounters counters;
    private final BooleanSupplier stopRequested;
    private final Clock clock;
    private final ParkingLot parking = ParkingLot.empty();
    private final ConflictBackoff conflicts = new ConflictBackoff(new java.util.SplittableRandom());
    private final EngineCounters.ShardMeters shardMeters;
    private final HandOffSource handOffs;
    /** Null for a backfill's scan, which has no shard to report on. */
    private final ShardReporter reporter;
    private Map<String, SequenceNumber> watermarks = new HashMap<>();
    private long parkingLoadedAt;
    /** Creation time of the first change of the batch not yet committed: what a halt leaves for the stream to keep. */
    private long oldestUnappliedMillis;

    public ShardProjector(String shardId, List<String> projections, ChunkPlanner planner, ChunkCommitter committer,
                          WatermarkStore store, DeadLetterStore deadLetters, Retry retry, CircuitBreaker breaker,
                          EngineCounters counters, BooleanSupplier stopRequested, Clock clock) {
        this(shardId, projections, planner, committer, store, deadLetters, retry, breaker, counters, stopRequested, clock, HandOffSource.NONE, null);
    }

    public ShardProjector(String shardId, List<String> projections, ChunkPlanner planner, ChunkCommitter committer,
                          WatermarkStore store, DeadLetterStore deadLetters, Retry retry, CircuitBreaker breaker,
                          EngineCounters counters, BooleanSupplier stopRequested, Clock clock, HandOffSource handOffs,
                          ShardReporter reporter) {
        this(shardId, projections, planner, ShardTable.of(committer, store, deadLetters), retry, breaker, counters, stopRequested, clock,
                handOffs, reporter);
    }

    public ShardProjector(String shardId, List<String> projections, ChunkPlanner planner, ShardTable table, Retry retry,
                          CircuitBreaker breaker, EngineCounters counters, BooleanSupplier stopRequested, Clock clock,
                          HandOffSource handOffs, ShardReporter reporter) {
        this.table = table;
        this.handOffs = handOffs;
        this.reporter = reporter;
        this.shardId = shardId;
        this.projections = List.copyOf(projections);
        this.planner = planner;
        this.retry = retry;
        this.breaker = breaker;
        this.counters = counters;
        this.stopRequested = stopRequested;
        this.clock = clock;
        this.shardMeters = counters.shard(shardId);
    }

    public void initialize() {
        // A scan has no stream position: its events are kept exact by the hand-off markers alone.
        watermarks = handOffs.scan() ? new HashMap<>() : new HashMap<>(retrying("load watermarks", () -> table.watermarks(shardId, projections)));
        refreshParking(0);
        refreshHandOffs();
        log.info("shard {}: watermarks {}, {} items with parked changes", shardId, watermarks, parking.blockedCount());
    }

    /** A poll that brought nothing: the shard is at its tip. */
    public void idle() {
        refreshHandOffs();
        if (handOffs.anyActive()) {
            retrying("end a hand-off at the tip", () -> {
                handOffs.atTip();
                return null;
            });
        }
        shardMeters.atTip(clock.millis());
        if (reporter != null) {
            reporter.atTip();
        }
    }

    /**
     * Reads backfill registrations when due. The check itself goes around the retry and the breaker:
     * a call that does no I/O must not count as a read-model success, or it would dilute the
     * breaker's failure rate during an outage (empty polls come many times a second).
     */
    private void refreshHandOffs() {
        if (!handOffs.refreshDue()) {
            return;
        }
        Map<String, SequenceNumber> seen = watermarks;
        retrying("read backfill registrations", () -> {
            handOffs.refresh(seen);
            return null;
        });
    }

    /** The hand-off for planning these events; without one in progress, no markers are read and the breaker sees no call. */
    private HandOff handOff(List<ChangeEvent> events) {
        return handOffs.anyActive() ? retrying("load hand-off markers", () -> handOffs.view(events)) : HandOff.NONE;
    }

    /** The shard stopped on a change it cannot get past; the status report says why. */
    public void halted(String reason) {
        if (reporter != null) {
            reporter.halted(reason, oldestUnappliedMillis);
        }
    }

    public Map<String, SequenceNumber> watermarks() {
        return Map.copyOf(watermarks);
    }

    /** Projects these consecutive events; returns when all are committed (or were already). */
    public void process(List<ChangeEvent> events) {
        boolean measured = !events.isEmpty() && !handOffs.scan();
        if (measured) {
            shardMeters.batchStarted(clock.millis(), events.get(0).approximateCreationTime().toEpochMilli());
        }
        try {
            project(events);
        } finally {
            if (measured) {
                shardMeters.batchEnded();
            }
        }
    }

    private void project(List<ChangeEvent> events) {
        counters.eventsSeen.add(events.size());
        if (!events.isEmpty()) {
            oldestUnappliedMillis = events.get(0).approximateCreationTime().toEpochMilli();
        }
        if (reporter != null && !events.isEmpty()) {
            reporter.read(events.get(events.size() - 1).approximateCreationTime().toEpochMilli());
        }
        if (clock.millis() - parkingLoadedAt > PARKING_REFRESH_MILLIS) {
            // A re-drive elsewhere may have emptied the store: items no longer wait.
            refreshParking(PARKING_REFRESH_MILLIS);
        }
        refreshHandOffs();
        // Events before `from` are done. `window` caps how many are planned at once: it halves when
        // a commit meets a conflict, so the changes ahead of a hot item commit without it and the
        // transaction that holds it stays short; it doubles back with every commit that goes through.
        int from = 0;
        int window = Integer.MAX_VALUE;
        while (from < events.size()) {
            oldestUnappliedMillis = events.get(from).approximateCreationTime().toEpochMilli();
            List<ChangeEvent> planned = events.subList(from, (int) Math.min(events.size(), (long) from + window));
            HandOff handOff = handOff(planned);
            List<Chunk> chunks = planner.plan(planned, watermarks, parking, null, handOff);
            if (waitsBehind(chunks) && clock.millis() - parkingLoadedAt > PARKING_RECHECK_MILLIS) {
                // A re-drive may have emptied the item meanwhile: look again before parking behind it.
                refreshParking(PARKING_RECHECK_MILLIS);
                chunks = planner.plan(planned, watermarks, parking, null, handOff);
            }
            int offset = from;
            int next = from + planned.size();
            for (Chunk chunk : chunks) {
                int start = offset;
                offset += chunk.events().size();
                if (!chunk.needsCommit()) {
                    continue;
                }
                ChunkCommitter.Outcome outcome;
                try {
                    outcome = attempt("commit", () -> counters.timeCommit(() -> table.commit(shardId, chunk)));
                } catch (RuntimeException e) {
                    if (TransientErrors.isConflict(e)) {
                        conflicted(chunk, e);
                        window = Math.max(1, chunk.events().size() / 2);
                        next = start;
                        break;
                    }
                    if (!TransientErrors.isRefusedData(e)) {
                        throw e;
                    }
                    log.warn("shard {}: DynamoDB refused the writes of {} changes ({}); committing them one by one to find the refused one",
                            shardId, chunk.events().size(), e.getMessage());
                    isolate(chunk.events());
                    next = offset;
                    break;
                }
                if (outcome == ChunkCommitter.Outcome.ALREADY_APPLIED) {
                    counters.chunksAlreadyApplied.increment();
                    Map<String, SequenceNumber> stored = retrying("reload watermarks", () -> table.watermarks(shardId, projections));
                    log.info("shard {}: chunk up to {} was already applied (watermarks now {}); re-planning the rest",
                            shardId, chunk.lastEvent().sequenceNumber(), stored);
                    watermarks = new HashMap<>(stored);
                    // Another processor of the shard committed what this one planned (a stolen lease, the KCL's
                    // hand-off timeout, a replay) and may have parked changes of items in it: without its parked
                    // items, the re-plan would apply an item's later change ahead of its parked earlier one. Read
                    // after the watermarks, and fresh (not the worker's shared view), so every change parked up to
                    // them is seen.
                    refreshParking(0);
                    next = start;
                    break;
                }
                if (outcome == ChunkCommitter.Outcome.MARKERS_CHANGED) {
                    // The scan and the stream met on an item: read its marker again and judge anew.
                    counters.chunksAlreadyApplied.increment();
                    next = start;
                    break;
                }
                committed(chunk);
                conflicts.reset();
                window = window >= Integer.MAX_VALUE / 2 ? Integer.MAX_VALUE : window * 2;
            }
            from = next;
        }
        if (!events.isEmpty() && !handOffs.scan()) {
            long last = events.get(events.size() - 1).approximateCreationTime().toEpochMilli();
            shardMeters.processed(last, clock.millis());
            if (handOffs.anyActive()) {
                retrying("record the end of a hand-off", () -> {
                    handOffs.processed(events);
                    return null;
                });
            }
        }
    }

    /** The shard is closed and every change of it was processed: its hand-offs end, and its status report goes. */
    public void finished() {
        if (handOffs.anyActive()) {
            retrying("end hand-offs at the shard's end", () -> {
                handOffs.shardFinished();
                return null;
            });
        }
        if (reporter != null) {
            reporter.finished();
        }
    }

    /**
     * The KCL resumes the shard after {@code checkpoint} (a sequence number, or TRIM_HORIZON, LATEST…
     * when nothing was read yet). A projection that joined a backfill here has its watermark brought
     * there (the scan covers what came before); one that is still behind missed changes: the worker
     * refused to start it unless its checkpoint moved since (another worker without it), so this is
     * said loudly, and {@code projector status} shows it from the report.
     */
    public void resumedAt(String checkpoint) {
        if (checkpoint == null || checkpoint.isEmpty() || !checkpoint.chars().allMatch(Character::isDigit)) {
            return;
        }
        SequenceNumber at = SequenceNumber.parse(checkpoint);
        java.util.Set<String> joined = handOffs.joined();
        List<String> behind = new java.util.ArrayList<>();
        for (String p : projections) {
            SequenceNumber mark = watermarks.get(p);
            if (mark != null && !at.isAfter(mark)) {
                continue;
            }
            if (joined.contains(p)) {
                retrying("move a watermark to the checkpoint", () -> table.catchUp(shardId, p, at, clock.millis()));
                watermarks.put(p, at);
            } else {
                behind.add(p);
            }
        }
        if (!behind.isEmpty()) {
            Map<String, SequenceNumber> marks = new java.util.TreeMap<>();
            behind.forEach(p -> marks.put(p, watermarks.get(p)));
            log.error("shard {}: projections {} MISSED CHANGES: the application resumes after {}, but their watermarks are {} "
                    + "(a worker without them read on after this one checked at start); stop the workers and backfill or rebuild them, "
                    + "see projector status", shardId, behind, at, marks);
        }
        if (reporter != null) {
            reporter.caughtUp(at.toString(), projections);
        }
    }

    /**
     * Everything up to {@code upTo} is committed: moves the watermark of every projection that had
     * nothing to write since up to it, before the KCL checkpoints there (see {@link ProjectionGaps}).
     * One attempt, outside the retry: false when it failed, and then the caller must not checkpoint.
     */
    public boolean catchUp(SequenceNumber upTo) {
        long now = clock.millis();
        try {
            for (String p : projections) {
                SequenceNumber mark = watermarks.get(p);
                if (mark == null || upTo.isAfter(mark)) {
                    table.catchUp(shardId, p, upTo, now);
                    watermarks.put(p, upTo);
                }
            }
        } catch (RuntimeException e) {
            log.warn("shard {}: moving the watermarks up to {} failed ({}); not checkpointing there yet", shardId, upTo, e.toString());
            return false;
        }
        if (reporter != null) {
            reporter.caughtUp(upTo.toString(), projections);
        }
        return true;
    }

    /** The shard is no longer this worker's: its lag gauges go. */
    public void close() {
        counters.releaseShard(shardId);
    }

    private static boolean waitsBehind(List<Chunk> chunks) {
        return chunks.stream().flatMap(c -> c.parked().stream()).anyMatch(c -> ParkedChange.WAITS_BEHIND.equals(c.errorType()));
    }

    /** Parks a stream record that could not even be decoded (no projection saw it). */
    public void parkUndecodable(software.amazon.awssdk.services.dynamodb.model.Record record, String reason) {
        retrying("park an undecodable record", () -> {
            table.parkUndecodable(shardId, record, reason, clock.millis());
            return null;
        });
        counters.parked(ChunkPlanner.NO_PROJECTION);
        MDC.put("projection", ChunkPlanner.NO_PROJECTION);
        try {
            log.warn("shard {}: parked an undecodable stream record: {}", shardId, reason);
        } finally {
            MDC.remove("projection");
        }
    }

    /** Commits each change of a refused chunk for each projection on its own; what is refused again is parked. */
    private void isolate(List<ChangeEvent> events) {
        List<String> targets = new java.util.ArrayList<>(projections);
        targets.add(ChunkPlanner.NO_PROJECTION);
        for (ChangeEvent event : events) {
            for (String projection : targets) {
                boolean again = true;
                while (again) {
                    again = false;
                    HandOff handOff = handOff(List.of(event));
                    for (Chunk chunk : planner.plan(List.of(event), watermarks, parking, Set.of(projection), handOff)) {
                        if (!chunk.needsCommit()) {
                            continue;
                        }
                        try {
                            again |= !commitAlone(chunk);
                        } catch (RuntimeException e) {
                            if (!TransientErrors.isRefusedData(e)) {
                                throw e;
                            }
                            parking.force(projection, event.sequenceNumber(), "DynamoDB refused its writes: " + e.getMessage());
                            for (Chunk park : planner.plan(List.of(event), watermarks, parking, Set.of(projection), handOff)) {
                                again |= !commitAlone(park);
                            }
                        }
                    }
                }
            }
        }
        parking.clearForced();
    }

    /** Commits one chunk; false when a hand-off marker moved meanwhile and the change must be judged again. */
    private boolean commitAlone(Chunk chunk) {
        ChunkCommitter.Outcome outcome = retrying("commit", () -> counters.timeCommit(() -> table.commit(shardId, chunk)));
        if (outcome == ChunkCommitter.Outcome.ALREADY_APPLIED) {
            counters.chunksAlreadyApplied.increment();
            watermarks = new HashMap<>(retrying("reload watermarks", () -> table.watermarks(shardId, projections)));
            refreshParking(0);
            return true;
        }
        if (outcome == ChunkCommitter.Outcome.MARKERS_CHANGED) {
            return false;
        }
        committed(chunk);
        return true;
    }

    private void committed(Chunk chunk) {
        chunk.watermarks().values().forEach(w -> watermarks.put(w.projection(), w.to()));
        if (!chunk.parked().isEmpty()) {
            table.parked();
        }
        chunk.parked().forEach(c -> {
            if (!ChunkPlanner.NO_PROJECTION.equals(c.projection())) {
                parking.block(c.projection(), SourceKeys.of(c.event().keys().asMap()));
            }
            counters.parked(c.projection());
            MDC.put("projection", c.projection());
            try {
                log.warn("shard {}: parked {} for projection '{}': {}", shardId,
                        io.projector.ProjectionFailedException.describe(c.event()), c.projection(), c.reason());
            } finally {
                MDC.remove("projection");
            }
        });
        counters.chunksCommitted.increment();
        counters.itemWrites.add(chunk.mutations().size());
        counters.watermarkWrites.add(chunk.watermarks().size());
        counters.markerWrites.add(chunk.markers().size());
        counters.lastCommittedEventMillis.accumulateAndGet(chunk.lastEvent().approximateCreationTime().toEpochMilli(), Math::max);
    }

    /** Reads which items wait behind parked changes; a view up to {@code maxAgeMillis} old, shared with the worker's other shards, will do. */
    private void refreshParking(long maxAgeMillis) {
        parking.replaceBlocked(retrying("load parked items", () -> table.blockedItems(maxAgeMillis, clock.millis())));
        parkingLoadedAt = clock.millis();
    }

    /** While the breaker is open the shard does not call the table, and so does not advance. */
    private void awaitBreaker() {
        counters.breakerWaits.increment();
        while (breaker.getState() == CircuitBreaker.State.OPEN && !stopRequested.getAsBoolean()) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ShardStoppedException(shardId);
            }
        }
    }

    /** Runs a read-model call with retries until it succeeds; a conflict makes the shard back off and call again. */
    private <T> T retrying(String what, Supplier<T> action) {
        while (true) {
            try {
                return attempt(what, action);
            } catch (RuntimeException e) {
                if (!TransientErrors.isConflict(e)) {
                    throw e;
                }
                counters.conflicts.increment();
                backOff();
            }
        }
    }

    /**
     * Runs a read-model call through the retry and the breaker, round after round while it fails
     * transiently; a transaction conflict is thrown to the caller (which may commit less at once).
     */
    private <T> T attempt(String what, Supplier<T> action) {
        while (true) {
            if (stopRequested.getAsBoolean()) {
                throw new ShardStoppedException(shardId);
            }
            try {
                return retry.executeSupplier(CircuitBreaker.decorateSupplier(breaker, action));
            } catch (CallNotPermittedException e) {
                awaitBreaker();
                continue;
            } catch (RuntimeException e) {
                if (stopRequested.getAsBoolean()) {
                    // The stop interrupted the call (the SDK then throws AbortedException): not a failure
                    // of the table, and the batch is not retried.
                    throw new ShardStoppedException(shardId);
                }
                if (TransientErrors.isConflict(e)) {
                    throw e;
                }
                if (TransientErrors.isTransient(e)) {
                    counters.transientFailures.increment();
                    log.warn("shard {}: {} still failing after {} attempts ({}); the shard waits and tries again",
                            shardId, what, retry.getRetryConfig().getMaxAttempts(), e.toString());
                } else if (TransientErrors.isEnvironmentFailure(e)) {
                    // Access denied, a missing table: no record is to blame, so none is parked; the shard waits for the fix.
                    counters.transientFailures.increment();
                    log.error("shard {}: {} failed: {}. Nothing is skipped: the shard retries every {} ms until this is fixed",
                            shardId, what, e.getMessage(), ENVIRONMENT_PAUSE_MILLIS);
                    pause();
                } else {
                    throw e;
                }
            }
        }
    }

    /** A commit met a conflict on a shared item: count it, say so now and then, and back off this shard alone. */
    private void conflicted(Chunk chunk, RuntimeException e) {
        counters.conflicts.increment();
        if (conflicts.inARow() > 0 && conflicts.inARow() % 20 == 0) {
            log.warn("shard {}: {} commits in a row met a transaction conflict (another shard or writer holds an item of the chunk "
                    + "up to {}); backing off and committing fewer changes at once", shardId, conflicts.inARow(), chunk.lastEvent().sequenceNumber());
        } else {
            log.debug("shard {}: commit of {} changes met a conflict: {}", shardId, chunk.events().size(), e.getMessage());
        }
        backOff();
    }

    private void backOff() {
        try {
            conflicts.pause(stopRequested);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new ShardStoppedException(shardId);
        }
        if (stopRequested.getAsBoolean()) {
            throw new ShardStoppedException(shardId);
        }
    }

    private void pause() {
        try {
            Thread.sleep(ENVIRONMENT_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShardStoppedException(shardId);
        }
    }
}
