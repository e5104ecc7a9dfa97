package io.projector.internal.shard;

import io.projector.ProjectionFailedException;
import io.projector.SequenceNumber;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.ParkingLot;
import io.projector.internal.plan.SourceKeys;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What a shard knows of its own progress, kept in step with what it commits: each projection's
 * watermark on the shard, and the items that wait behind parked changes.
 */
final class ShardProgress {

    /** The shard's own logger: operators set its level, and tests read it. */
    private static final Logger log = LoggerFactory.getLogger(ShardProjector.class);

    private final String shardId;
    private final List<String> projections;
    private final ShardTable table;
    private final ReadModelCalls calls;
    private final EngineCounters counters;
    private final Clock clock;
    private final ParkingLot parking = ParkingLot.empty();
    private Map<String, SequenceNumber> watermarks = new HashMap<>();
    private long parkingLoadedAt;

    ShardProgress(String shardId, List<String> projections, ShardTable table, ReadModelCalls calls, EngineCounters counters, Clock clock) {
        this.shardId = shardId;
        this.projections = projections;
        this.table = table;
        this.calls = calls;
        this.counters = counters;
        this.clock = clock;
    }

    /** The watermarks as the planner takes them (the shard's own map: what it commits moves them). */
    Map<String, SequenceNumber> watermarks() {
        return watermarks;
    }

    ParkingLot parking() {
        return parking;
    }

    long parkingLoadedAt() {
        return parkingLoadedAt;
    }

    /** A scan has no stream position: its events are kept exact by the hand-off markers alone. */
    void noWatermarks() {
        watermarks = new HashMap<>();
    }

    /** Reads the stored watermarks (with retries) and takes them; returns them. */
    Map<String, SequenceNumber> loadWatermarks(String what) {
        Map<String, SequenceNumber> stored = calls.retrying(what, () -> table.watermarks(shardId, projections));
        watermarks = new HashMap<>(stored);
        return stored;
    }

    void moveWatermark(String projection, SequenceNumber to) {
        watermarks.put(projection, to);
    }

    /** Reads which items wait behind parked changes; a view up to {@code maxAgeMillis} old, shared with the worker's other shards, will do. */
    void refreshParking(long maxAgeMillis) {
        parking.replaceBlocked(calls.retrying("load parked items", () -> table.blockedItems(maxAgeMillis, clock.millis())));
        parkingLoadedAt = clock.millis();
    }

    /** A chunk is committed: its watermarks move, its parked changes block their items, and it is counted and logged. */
    void committed(Chunk chunk) {
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
                        ProjectionFailedException.describe(c.event()), c.projection(), c.reason());
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
}
