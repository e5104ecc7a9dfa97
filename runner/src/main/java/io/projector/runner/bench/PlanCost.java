package io.projector.runner.bench;

import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.internal.plan.Chunk;
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

    private PlanCost() {
    }

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
