package io.projector.internal.handoff;

import io.projector.SequenceNumber;
import io.projector.internal.plan.AppliedVersion;
import io.projector.internal.plan.MarkerKey;
import io.projector.internal.store.BackfillStore;
import io.projector.internal.store.HandOffLedger;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** The ledger a worker keeps in the read-model table, for one projection, in memory; retired by the real rule. */
final class InMemoryHandOffLedger implements HandOffLedger {

    final Map<String, BackfillStore.Registration> registrations = new HashMap<>();
    final Map<MarkerKey, AppliedVersion> markers = new HashMap<>();
    /** Per shard, the projection's watermark. */
    final Map<String, SequenceNumber> watermarks = new HashMap<>();
    final Set<String> joins = new HashSet<>();
    final Set<String> ended = new HashSet<>();
    private final String projection;
    private final Supplier<List<String>> openShards;

    InMemoryHandOffLedger(String projection, Supplier<List<String>> openShards) {
        this.projection = projection;
        this.openShards = openShards;
    }

    boolean retired() {
        return registrations.values().stream().allMatch(r -> r.status() == BackfillStore.Status.RETIRED);
    }

    Map<String, SequenceNumber> watermarks(String shardId) {
        SequenceNumber w = watermarks.get(shardId);
        return w == null ? Map.of() : Map.of(projection, w);
    }

    @Override
    public Map<String, BackfillStore.Registration> registrations(List<String> projections) {
        return Map.copyOf(registrations);
    }

    @Override
    public ShardState state(String projection, String shardId) {
        return ended.contains(shardId) ? ShardState.ENDED : joins.contains(shardId) ? ShardState.JOINED : ShardState.NONE;
    }

    @Override
    public void join(String projection, String shardId, String workerId, long nowMillis) {
        joins.add(shardId);
    }

    @Override
    public void refuse(String projection, String shardId, String reason, long nowMillis) {
        throw new AssertionError("no shard here applied changes before the registration: " + reason);
    }

    @Override
    public void end(String projection, String shardId, SequenceNumber last, long nowMillis) {
        SequenceNumber w = watermarks.get(shardId);
        if (last != null && (w == null || last.isAfter(w))) {
            watermarks.put(shardId, last);
        }
        ended.add(shardId);
    }

    @Override
    public boolean retireIfEnded(String projection) {
        BackfillStore.Registration r = registrations.get(projection);
        if (r == null || r.status() == BackfillStore.Status.RETIRED) {
            return true;
        }
        Map<String, Boolean> recorded = new HashMap<>();
        joins.forEach(s -> recorded.put(s, ended.contains(s)));
        ended.forEach(s -> recorded.put(s, true));
        if (!BackfillStore.retirable(r.status() == BackfillStore.Status.COMPLETE, false, recorded, openShards.get())) {
            return false;
        }
        registrations.put(projection, new BackfillStore.Registration(projection, BackfillStore.Status.RETIRED, r.versionAttribute(),
                r.purpose(), r.createdAtMillis(), r.startedAtMillis(), r.finishedAtMillis(), r.scanned(), r.applied(), r.estimate()));
        joins.clear();
        ended.clear();
        return true;
    }

    @Override
    public Map<MarkerKey, AppliedVersion> markers(Collection<MarkerKey> keys) {
        Map<MarkerKey, AppliedVersion> out = new HashMap<>();
        keys.forEach(k -> {
            if (markers.containsKey(k)) {
                out.put(k, markers.get(k));
            }
        });
        return out;
    }
}
