package io.projector.internal.store;

import io.projector.SequenceNumber;
import io.projector.internal.plan.AppliedVersion;
import io.projector.internal.plan.MarkerKey;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The hand-off ledger in the read-model table, with the stream's open shards from DescribeStream. */
public final class StoredHandOffLedger implements HandOffLedger {

    private final BackfillStore backfills;
    private final WatermarkStore watermarks;
    private final AppliedVersionStore markers;
    private final Supplier<List<String>> openShards;

    public StoredHandOffLedger(BackfillStore backfills, WatermarkStore watermarks, AppliedVersionStore markers,
                               Supplier<List<String>> openShards) {
        this.backfills = backfills;
        this.watermarks = watermarks;
        this.markers = markers;
        this.openShards = openShards;
    }

    @Override
    public Map<String, BackfillStore.Registration> registrations(List<String> projections) {
        return backfills.registrations(projections);
    }

    @Override
    public ShardState state(String projection, String shardId) {
        return backfills.shardState(projection, shardId);
    }

    @Override
    public void join(String projection, String shardId, String workerId, long nowMillis) {
        backfills.join(projection, shardId, workerId, nowMillis);
    }

    @Override
    public void refuse(String projection, String shardId, String reason, long nowMillis) {
        backfills.refuse(projection, shardId, reason, nowMillis);
    }

    @Override
    public void end(String projection, String shardId, SequenceNumber last, long nowMillis) {
        if (last != null) {
            watermarks.raise(projection, shardId, last, nowMillis);
        }
        backfills.end(projection, shardId, nowMillis);
    }

    @Override
    public boolean retireIfEnded(String projection) {
        return backfills.retireIfEnded(projection, openShards.get());
    }

    @Override
    public Map<MarkerKey, AppliedVersion> markers(Collection<MarkerKey> keys) {
        return markers.load(keys);
    }
}
