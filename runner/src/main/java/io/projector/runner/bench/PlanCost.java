package io.projector.runner.bench;

import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.internal.guard.GuardedWindow;
import io.projector.internal.guard.GuardedWrite;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ItemMutation;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.TransactionLimits;
import java.util.List;
import java.util.Map;

/**
 * What the engine's planner makes of a list of changes, without a database: the transactions and
 * their actions when the changes come in batches of 1,000 (one GetRecords), every projection
 * starting without a watermark. Used for figures the live run cannot separate, such as one part of
 * the workload with or without a projection. Each action is costed at two write units (a
 * transactional write of an item under 1 KB, which every read-model item of the reference domain is).
 */
final class PlanCost {

    /** Transactions and actions (item writes plus watermarks) of a plan, and the changes planned. */
    record Cost(long changes, long transactions, long actions) {
        double unitsPerChange() {
            return changes == 0 ? 0 : 2.0 * actions / changes;
        }
    }

    /**
     * The same changes planned as guarded windows of 1,000: one standard write per read-model item
     * a window writes and per watermark it moves; a deleted copy's tombstone costs its put and the
     * later delete that sweeps it.
     */
    record GuardedCost(long changes, long windows, double units, long itemWrites, long tombstones, long watermarks) {
        double unitsPerChange() {
            return changes == 0 ? 0 : units / changes;
        }
    }

    /** Any shard id that carries a creation time will do: positions only order the writes of one plan. */
    private static final String SHARD = "shardId-00000001700000000000-00000000";

    private PlanCost() {
    }

    /** Windows of one batch of 1,000: a shard at its tip. */
    static GuardedCost guarded(List<ChangeEvent> events, List<Projection> projections) {
        return guarded(events, projections, 1000);
    }

    /** Windows of {@code window} records: 5,000 while a shard is behind (its batches come full, five are folded together). */
    static GuardedCost guarded(List<ChangeEvent> events, List<Projection> projections, int window) {
        ChunkPlanner planner = new ChunkPlanner(projections, TransactionLimits.DYNAMODB, ChunkPlanner.Unrouted.IGNORE, true);
        long windows = 0;
        long items = 0;
        long tombstones = 0;
        long watermarks = 0;
        double units = 0;
        for (int from = 0; from < events.size(); from += window) {
            for (Chunk chunk : planner.plan(events.subList(from, Math.min(events.size(), from + window)), Map.of())) {
                if (!chunk.needsCommit()) {
                    continue;
                }
                windows++;
                GuardedWindow folded = new GuardedWindow(SHARD);
                chunk.writes().forEach(w -> folded.add(w.sequence().toString(), w.write()));
                for (GuardedWrite w : folded.writes()) {
                    items++;
                    if (w instanceof GuardedWrite.Copy copy && copy.mutation() instanceof ItemMutation.Replace put) {
                        units += WriteUnits.standard(WriteUnits.bytes(put.attributes()) + COPY_OVERHEAD_BYTES);
                    } else if (w instanceof GuardedWrite.Copy) {
                        tombstones++;
                        units += 2;
                    } else {
                        units += 1;
                    }
                }
                watermarks += chunk.watermarks().size();
                units += chunk.watermarks().size();
            }
        }
        return new GuardedCost(events.size(), windows, units, items, tombstones, watermarks);
    }

    /** Key and position attribute a guarded copy adds to the projection's attributes. */
    private static final int COPY_OVERHEAD_BYTES = 120;

    static Cost of(List<ChangeEvent> events, List<Projection> projections) {
        ChunkPlanner planner = new ChunkPlanner(projections, TransactionLimits.DYNAMODB);
        long transactions = 0;
        long actions = 0;
        for (int from = 0; from < events.size(); from += 1000) {
            for (Chunk chunk : planner.plan(events.subList(from, Math.min(events.size(), from + 1000)), Map.of())) {
                if (chunk.needsCommit()) {
                    transactions++;
                    actions += chunk.actionCount();
                }
            }
        }
        return new Cost(events.size(), transactions, actions);
    }
}
