package io.projector.internal.shard;

import io.projector.ChangeEvent;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.commit.TransientErrors;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.HandOff;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A chunk whose writes DynamoDB refused (too large an item, a type clash): each change is committed
 * for each projection on its own, and what is refused again is parked for that projection alone,
 * so the rest goes through.
 */
final class RefusedWrites {

    private final String shardId;
    private final List<String> projections;
    private final ChunkPlanner planner;
    private final ShardTable table;
    private final ReadModelCalls calls;
    private final ShardProgress progress;
    private final EngineCounters counters;
    private final Function<List<ChangeEvent>, HandOff> handOffs;

    RefusedWrites(String shardId, List<String> projections, ChunkPlanner planner, ShardTable table, ReadModelCalls calls,
                  ShardProgress progress, EngineCounters counters, Function<List<ChangeEvent>, HandOff> handOffs) {
        this.shardId = shardId;
        this.projections = projections;
        this.planner = planner;
        this.table = table;
        this.calls = calls;
        this.progress = progress;
        this.counters = counters;
        this.handOffs = handOffs;
    }

    /**
     * As {@link #isolate(List)}, for the projections {@code only} (null: all). A guarded window's
     * changes are sent one at a time with all those projections' writes together, never one
     * projection after another: counter markers are per shard, so a second projection's share of a
     * counter sent after a first one's at the same change would be refused as already applied. A
     * change refused again is parked for every projection that wrote for it.
     */
    void isolate(List<ChangeEvent> events, Set<String> only, boolean guarded) {
        if (!guarded) {
            isolate(events);
            return;
        }
        for (ChangeEvent event : events) {
            commitOrPark(event, only, chunk -> chunk.watermarks().keySet());
        }
        progress.parking().clearForced();
    }

    /** Commits each change of a refused chunk for each projection on its own; what is refused again is parked. */
    void isolate(List<ChangeEvent> events) {
        List<String> targets = new ArrayList<>(projections);
        targets.add(ChunkPlanner.NO_PROJECTION);
        for (ChangeEvent event : events) {
            for (String projection : targets) {
                commitOrPark(event, Set.of(projection), chunk -> Set.of(projection));
            }
        }
        progress.parking().clearForced();
    }

    /** Commits the change for these projections; if DynamoDB refuses it again, parks it for those {@code toPark} names. */
    private void commitOrPark(ChangeEvent event, Set<String> only, Function<Chunk, Set<String>> toPark) {
        boolean again = true;
        while (again) {
            again = false;
            HandOff handOff = handOffs.apply(List.of(event));
            for (Chunk chunk : planner.plan(List.of(event), progress.watermarks(), progress.parking(), only, handOff)) {
                if (!chunk.needsCommit()) {
                    continue;
                }
                try {
                    again |= !commitAlone(chunk);
                } catch (RuntimeException e) {
                    if (!TransientErrors.isRefusedData(e)) {
                        throw e;
                    }
                    for (String projection : toPark.apply(chunk)) {
                        progress.parking().force(projection, event.sequenceNumber(), "DynamoDB refused its writes: " + e.getMessage());
                    }
                    for (Chunk park : planner.plan(List.of(event), progress.watermarks(), progress.parking(), only, handOff)) {
                        again |= !commitAlone(park);
                    }
                }
            }
        }
    }

    /** Commits one chunk; false when a hand-off marker moved meanwhile and the change must be judged again. */
    private boolean commitAlone(Chunk chunk) {
        ChunkCommitter.Outcome outcome = calls.retrying("commit", () -> counters.timeCommit(() -> table.commit(shardId, chunk)));
        if (outcome == ChunkCommitter.Outcome.ALREADY_APPLIED) {
            counters.chunksAlreadyApplied.increment();
            progress.loadWatermarks("reload watermarks");
            progress.refreshParking(0);
            return true;
        }
        if (outcome == ChunkCommitter.Outcome.MARKERS_CHANGED) {
            return false;
        }
        progress.committed(chunk);
        return true;
    }
}
