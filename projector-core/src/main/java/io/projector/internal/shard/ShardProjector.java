package io.projector.internal.shard;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.projector.ChangeEvent;
import io.projector.SequenceNumber;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.commit.StaleWindowException;
import io.projector.internal.commit.TransientErrors;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.HandOff;
import io.projector.internal.plan.ParkedChange;
import io.projector.internal.store.DeadLetterStore;
import io.projector.internal.store.ProjectionGaps;
import io.projector.internal.store.WatermarkStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Projects the events of one shard: plan, commit, and on a watermark conflict reload the watermarks
 * and re-plan what is left, so every event takes effect exactly once; the shard's lifecycle (start,
 * tip, checkpoint, halt, end) around that loop. Its calls go through {@link ReadModelCalls} (retry,
 * breaker, conflict backoff), what it knows of its progress is in {@link ShardProgress}, and a chunk
 * whose writes DynamoDB refuses goes to {@link RefusedWrites}. The KCL record processor and the
 * backfill both drive this.
 */
public final class ShardProjector {

    private static final Logger log = LoggerFactory.getLogger(ShardProjector.class);
    private static final long PARKING_REFRESH_MILLIS = 10_000;
    /** Before parking a change behind another, the worker's view of the store must be at most this old. */
    private static final long PARKING_RECHECK_MILLIS = 1_000;

    private final String shardId;
    private final List<String> projections;
    private final ChunkPlanner planner;
    private final ShardTable table;
    private final EngineCounters counters;
    private final Clock clock;
    private final EngineCounters.ShardMeters shardMeters;
    private final HandOffSource handOffs;
    /** Null for a backfill's scan, which has no shard to report on. */
    private final ShardReporter reporter;
    private final ReadModelCalls calls;
    private final ShardProgress progress;
    private final RefusedWrites refused;
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
        this.counters = counters;
        this.clock = clock;
        this.shardMeters = counters.shard(shardId);
        this.calls = new ReadModelCalls(shardId, retry, breaker, counters, stopRequested);
        this.progress = new ShardProgress(shardId, this.projections, table, calls, counters, clock);
        this.refused = new RefusedWrites(shardId, this.projections, planner, table, calls, progress, counters, this::handOff);
    }

    public void initialize() {
        // A scan has no stream position: its events are kept exact by the hand-off markers alone.
        if (handOffs.scan()) {
            progress.noWatermarks();
        } else {
            progress.loadWatermarks("load watermarks");
        }
        progress.refreshParking(0);
        refreshHandOffs();
        log.info("shard {}: watermarks {}, {} items with parked changes", shardId, progress.watermarks(), progress.parking().blockedCount());
    }

    /** A poll that brought nothing: the shard is at its tip. */
    public void idle() {
        refreshHandOffs();
        table.sweep(clock.millis());
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
        Map<String, SequenceNumber> seen = progress.watermarks();
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

    /** Whether consecutive batches may be folded into one window: the guarded commit has no transaction to outgrow. */
    public boolean foldsAcrossBatches() {
        return planner.guarded();
    }

    public Map<String, SequenceNumber> watermarks() {
        return Map.copyOf(progress.watermarks());
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
        if (clock.millis() - progress.parkingLoadedAt() > PARKING_REFRESH_MILLIS) {
            // A re-drive elsewhere may have emptied the store: items no longer wait.
            progress.refreshParking(PARKING_REFRESH_MILLIS);
        }
        refreshHandOffs();
        // Transactional and guarded projections are planned apart: a guarded window holds no transaction's writes.
        for (java.util.Set<String> only : planner.passes()) {
            commit(events, only);
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

    /** Plans and commits the events for these projections (null: all), until every one is committed or was already. */
    private void commit(List<ChangeEvent> events, java.util.Set<String> only) {
        // Events before `from` are done. `window` caps how many are planned at once: it halves when
        // a commit meets a conflict, so the changes ahead of a hot item commit without it and the
        // transaction that holds it stays short; it doubles back with every commit that goes through.
        int from = 0;
        int window = Integer.MAX_VALUE;
        while (from < events.size()) {
            oldestUnappliedMillis = events.get(from).approximateCreationTime().toEpochMilli();
            List<ChangeEvent> planned = events.subList(from, (int) Math.min(events.size(), (long) from + window));
            HandOff handOff = handOff(planned);
            List<Chunk> chunks = planner.plan(planned, progress.watermarks(), progress.parking(), only, handOff);
            if (waitsBehind(chunks) && clock.millis() - progress.parkingLoadedAt() > PARKING_RECHECK_MILLIS) {
                // A re-drive may have emptied the item meanwhile: look again before parking behind it.
                progress.refreshParking(PARKING_RECHECK_MILLIS);
                chunks = planner.plan(planned, progress.watermarks(), progress.parking(), only, handOff);
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
                    outcome = calls.attempt("commit", () -> counters.timeCommit(() -> table.commit(shardId, chunk)));
                } catch (RuntimeException e) {
                    if (e instanceof StaleWindowException) {
                        log.warn("shard {}: {}", shardId, e.getMessage());
                        progress.loadWatermarks("reload watermarks");
                        progress.refreshParking(0);
                        next = start;
                        break;
                    }
                    if (TransientErrors.isConflict(e)) {
                        calls.conflicted(chunk, e);
                        window = Math.max(1, chunk.events().size() / 2);
                        next = start;
                        break;
                    }
                    if (!TransientErrors.isRefusedData(e)) {
                        throw e;
                    }
                    log.warn("shard {}: DynamoDB refused the writes of {} changes ({}); committing them one by one to find the refused one",
                            shardId, chunk.events().size(), e.getMessage());
                    refused.isolate(chunk.events(), only, chunk.guarded());
                    next = offset;
                    break;
                }
                if (outcome == ChunkCommitter.Outcome.ALREADY_APPLIED) {
                    counters.chunksAlreadyApplied.increment();
                    Map<String, SequenceNumber> stored = progress.loadWatermarks("reload watermarks");
                    log.info("shard {}: chunk up to {} was already applied (watermarks now {}); re-planning the rest",
                            shardId, chunk.lastEvent().sequenceNumber(), stored);
                    // Another processor of the shard committed what this one planned (a stolen lease, the KCL's
                    // hand-off timeout, a replay) and may have parked changes of items in it: without its parked
                    // items, the re-plan would apply an item's later change ahead of its parked earlier one. Read
                    // after the watermarks, and fresh (not the worker's shared view), so every change parked up to
                    // them is seen.
                    progress.refreshParking(0);
                    next = start;
                    break;
                }
                if (outcome == ChunkCommitter.Outcome.MARKERS_CHANGED) {
                    // The scan and the stream met on an item: read its marker again and judge anew.
                    counters.chunksAlreadyApplied.increment();
                    next = start;
                    break;
                }
                progress.committed(chunk);
                calls.committed();
                window = window >= Integer.MAX_VALUE / 2 ? Integer.MAX_VALUE : window * 2;
            }
            from = next;
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
            SequenceNumber mark = progress.watermarks().get(p);
            if (mark != null && !at.isAfter(mark)) {
                continue;
            }
            if (joined.contains(p)) {
                retrying("move a watermark to the checkpoint", () -> table.catchUp(shardId, p, at, clock.millis()));
                progress.moveWatermark(p, at);
            } else {
                behind.add(p);
            }
        }
        if (!behind.isEmpty()) {
            Map<String, SequenceNumber> marks = new java.util.TreeMap<>();
            behind.forEach(p -> marks.put(p, progress.watermarks().get(p)));
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
                SequenceNumber mark = progress.watermarks().get(p);
                if (mark == null || upTo.isAfter(mark)) {
                    table.catchUp(shardId, p, upTo, now);
                    progress.moveWatermark(p, upTo);
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

    private <T> T retrying(String what, Supplier<T> action) {
        return calls.retrying(what, action);
    }
}
