package io.projector.internal;

import io.github.resilience4j.retry.Retry;
import io.projector.ChangeEvent;
import io.projector.SequenceNumber;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Projects the events of one shard: plan, commit with retries, and on a watermark conflict reload
 * the watermarks and re-plan what is left, so every event takes effect exactly once. The KCL record
 * processor and the backfill both drive this.
 */
public final class ShardProjector {

    private static final Logger log = LoggerFactory.getLogger(ShardProjector.class);

    private final String shardId;
    private final List<String> projections;
    private final ChunkPlanner planner;
    private final ChunkCommitter committer;
    private final WatermarkStore store;
    private final Retry retry;
    private final EngineCounters counters;
    private final BooleanSupplier stopRequested;
    private Map<String, SequenceNumber> watermarks = new HashMap<>();

    public ShardProjector(String shardId, List<String> projections, ChunkPlanner planner, ChunkCommitter committer,
                          WatermarkStore store, Retry retry, EngineCounters counters, BooleanSupplier stopRequested) {
        this.shardId = shardId;
        this.projections = List.copyOf(projections);
        this.planner = planner;
        this.committer = committer;
        this.store = store;
        this.retry = retry;
        this.counters = counters;
        this.stopRequested = stopRequested;
    }

    public void initialize() {
        watermarks = new HashMap<>(retrying("load watermarks", () -> store.load(shardId, projections)));
        log.info("shard {}: watermarks {}", shardId, watermarks);
    }

    public Map<String, SequenceNumber> watermarks() {
        return Map.copyOf(watermarks);
    }

    /** Projects these consecutive events; returns when all are committed (or were already). */
    public void process(List<ChangeEvent> events) {
        counters.eventsSeen.add(events.size());
        List<ChangeEvent> remaining = events;
        while (!remaining.isEmpty()) {
            List<Chunk> chunks = planner.plan(remaining, watermarks);
            List<ChangeEvent> planned = remaining;
            remaining = List.of();
            int offset = 0;
            for (Chunk chunk : chunks) {
                int start = offset;
                offset += chunk.events().size();
                if (!chunk.hasWrites()) {
                    continue;
                }
                ChunkCommitter.Outcome outcome = retrying("commit", () -> committer.commit(shardId, chunk));
                if (outcome == ChunkCommitter.Outcome.ALREADY_APPLIED) {
                    counters.chunksAlreadyApplied.increment();
                    Map<String, SequenceNumber> stored = retrying("reload watermarks", () -> store.load(shardId, projections));
                    log.info("shard {}: chunk up to {} was already applied (watermarks now {}); re-planning the rest",
                            shardId, chunk.lastEvent().sequenceNumber(), stored);
                    watermarks = new HashMap<>(stored);
                    remaining = planned.subList(start, planned.size());
                    break;
                }
                chunk.watermarks().values().forEach(w -> watermarks.put(w.projection(), w.to()));
                counters.chunksCommitted.increment();
                counters.itemWrites.add(chunk.mutations().size());
                counters.watermarkWrites.add(chunk.watermarks().size());
                counters.lastCommittedEventMillis.accumulateAndGet(
                        chunk.lastEvent().approximateCreationTime().toEpochMilli(), Math::max);
            }
        }
    }

    private <T> T retrying(String what, Supplier<T> action) {
        while (true) {
            if (stopRequested.getAsBoolean()) {
                throw new ShardStoppedException(shardId);
            }
            try {
                return retry.executeSupplier(action);
            } catch (RuntimeException e) {
                if (!TransientErrors.isTransient(e)) {
                    throw e;
                }
                counters.transientFailures.increment();
                log.warn("shard {}: {} still failing after {} attempts ({}); the shard waits and tries again",
                        shardId, what, retry.getRetryConfig().getMaxAttempts(), e.toString());
            }
        }
    }
}
