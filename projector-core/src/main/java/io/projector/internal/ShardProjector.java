package io.projector.internal;

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
    private final ChunkCommitter committer;
    private final WatermarkStore store;
    private final DeadLetterStore deadLetters;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final EngineCounters counters;
    private final BooleanSupplier stopRequested;
    private final Clock clock;
    private final ParkingLot parking = ParkingLot.empty();
    private final EngineCounters.ShardMeters shardMeters;
    private final HandOffSource handOffs;
    /** Null for a backfill's scan, which has no shard to report on. */
    private final ShardReporter reporter;
    private Map<String, SequenceNumber> watermarks = new HashMap<>();
    private long parkingLoadedAt;

    public ShardProjector(String shardId, List<String> projections, ChunkPlanner planner, ChunkCommitter committer,
                          WatermarkStore store, DeadLetterStore deadLetters, Retry retry, CircuitBreaker breaker,
                          EngineCounters counters, BooleanSupplier stopRequested, Clock clock) {
        this(shardId, projections, planner, committer, store, deadLetters, retry, breaker, counters, stopRequested, clock, HandOffSource.NONE, null);
    }

    public ShardProjector(String shardId, List<String> projections, ChunkPlanner planner, ChunkCommitter committer,
                          WatermarkStore store, DeadLetterStore deadLetters, Retry retry, CircuitBreaker breaker,
                          EngineCounters counters, BooleanSupplier stopRequested, Clock clock, HandOffSource handOffs,
                          ShardReporter reporter) {
        this.handOffs = handOffs;
        this.reporter = reporter;
        this.shardId = shardId;
        this.projections = List.copyOf(projections);
        this.planner = planner;
        this.committer = committer;
        this.store = store;
        this.deadLetters = deadLetters;
        this.retry = retry;
        this.breaker = breaker;
        this.counters = counters;
        this.stopRequested = stopRequested;
        this.clock = clock;
        this.shardMeters = counters.shard(shardId);
    }

    public void initialize() {
        // A scan has no stream position: its events are kept exact by the hand-off markers alone.
        watermarks = handOffs.scan() ? new HashMap<>() : new HashMap<>(retrying("load watermarks", () -> store.load(shardId, projections)));
        refreshParking();
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
            reporter.halted(reason);
        }
    }

    public Map<String, SequenceNumber> watermarks() {
        return Map.copyOf(watermarks);
    }

    /** Projects these consecutive events; returns when all are committed (or were already). */
    public void process(List<ChangeEvent> events) {
        counters.eventsSeen.add(events.size());
        if (reporter != null && !events.isEmpty()) {
            reporter.read(events.get(events.size() - 1).approximateCreationTime().toEpochMilli());
        }
        if (clock.millis() - parkingLoadedAt > PARKING_REFRESH_MILLIS) {
            // A re-drive elsewhere may have emptied the store: items no longer wait.
            refreshParking();
        }
        refreshHandOffs();
        List<ChangeEvent> remaining = events;
        while (!remaining.isEmpty()) {
            List<ChangeEvent> toPlan = remaining;
            HandOff handOff = handOff(toPlan);
            List<Chunk> chunks = planner.plan(remaining, watermarks, parking, null, handOff);
            if (waitsBehind(chunks) && clock.millis() - parkingLoadedAt > PARKING_RECHECK_MILLIS) {
                // A re-drive may have emptied the item meanwhile: look again before parking behind it.
                refreshParking();
                chunks = planner.plan(remaining, watermarks, parking, null, handOff);
            }
            List<ChangeEvent> planned = remaining;
            remaining = List.of();
            int offset = 0;
            for (Chunk chunk : chunks) {
                int start = offset;
                offset += chunk.events().size();
                if (!chunk.needsCommit()) {
                    continue;
                }
                ChunkCommitter.Outcome outcome;
                try {
                    outcome = retrying("commit", () -> counters.timeCommit(() -> committer.commit(shardId, chunk)));
                } catch (RuntimeException e) {
                    if (!TransientErrors.isRefusedData(e)) {
                        throw e;
                    }
                    log.warn("shard {}: DynamoDB refused the writes of {} changes ({}); committing them one by one to find the refused one",
                            shardId, chunk.events().size(), e.getMessage());
                    isolate(chunk.events());
                    remaining = planned.subList(offset, planned.size());
                    break;
                }
                if (outcome == ChunkCommitter.Outcome.ALREADY_APPLIED) {
                    counters.chunksAlreadyApplied.increment();
                    Map<String, SequenceNumber> stored = retrying("reload watermarks", () -> store.load(shardId, projections));
                    log.info("shard {}: chunk up to {} was already applied (watermarks now {}); re-planning the rest",
                            shardId, chunk.lastEvent().sequenceNumber(), stored);
                    watermarks = new HashMap<>(stored);
                    remaining = planned.subList(start, planned.size());
                    break;
                }
                if (outcome == ChunkCommitter.Outcome.MARKERS_CHANGED) {
                    // The scan and the stream met on an item: read its marker again and judge anew.
                    counters.chunksAlreadyApplied.increment();
                    remaining = planned.subList(start, planned.size());
                    break;
                }
                committed(chunk);
            }
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
            deadLetters.parkUndecodable(shardId, record, reason, clock.millis());
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
        ChunkCommitter.Outcome outcome = retrying("commit", () -> counters.timeCommit(() -> committer.commit(shardId, chunk)));
        if (outcome == ChunkCommitter.Outcome.ALREADY_APPLIED) {
            counters.chunksAlreadyApplied.increment();
            watermarks = new HashMap<>(retrying("reload watermarks", () -> store.load(shardId, projections)));
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

    private void refreshParking() {
        parking.replaceBlocked(retrying("load parked items", deadLetters::blockedItems));
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

    private <T> T retrying(String what, Supplier<T> action) {
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

    private void pause() {
        try {
            Thread.sleep(ENVIRONMENT_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShardStoppedException(shardId);
        }
    }
}
