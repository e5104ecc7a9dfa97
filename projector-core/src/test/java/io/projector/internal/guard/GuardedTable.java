package io.projector.internal.guard;

import io.projector.ItemKey;
import io.projector.internal.plan.InMemoryReadModel;
import io.projector.internal.plan.ItemMutation;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * A read-model table in memory that evaluates the guarded writes' conditions exactly as the
 * DynamoDB requests state them (a copy's stored position, a counter's marker per shard,
 * tombstones) and answers a refused update with the stored markers, as DynamoDB's ALL_OLD does.
 */
final class GuardedTable implements GuardedTarget {

    private final InMemoryReadModel values = new InMemoryReadModel();
    private final Map<ItemKey, StreamPosition> positions = new HashMap<>();
    private final Map<ItemKey, Map<String, BigInteger>> markers = new HashMap<>();
    private int packs;

    @Override
    public boolean put(GuardedWrite.Copy copy) {
        if (!copy.appliesOver(positions.get(copy.key()))) {
            return false;
        }
        positions.put(copy.key(), copy.position());
        values.apply(copy.isTombstone() ? new ItemMutation.Remove(copy.key()) : copy.mutation());
        return true;
    }

    @Override
    public Map<String, AttributeValue> update(GuardedWrite.Counter counter, Set<String> finishedShards) {
        Map<String, BigInteger> stored = markers.computeIfAbsent(counter.key(), k -> new HashMap<>());
        if (!counter.appliesOver(stored.get(counter.shardId()))) {
            Map<String, AttributeValue> item = new HashMap<>();
            stored.forEach((shard, marker) -> item.put(GuardedRequests.marker(shard), AttributeValue.fromS(GuardedRequests.encoded(marker))));
            return item;
        }
        values.apply(counter.mutation());
        finishedShards.stream().filter(s -> !s.equals(counter.shardId())).forEach(stored::remove);
        stored.put(counter.shardId(), counter.last());
        return null;
    }

    /** All or nothing, as a transaction: a refused condition cancels the pack with ConditionalCheckFailed at its place. */
    @Override
    public void pack(List<GuardedWrite> pack, Map<ItemKey, Set<String>> finishedShards,
                     List<software.amazon.awssdk.services.dynamodb.model.TransactWriteItem> after) {
        if (!after.isEmpty()) {
            throw new UnsupportedOperationException("this table holds read-model items only, no progress marks");
        }
        packs++;
        List<CancellationReason> reasons = new ArrayList<>();
        boolean refused = false;
        for (GuardedWrite w : pack) {
            boolean holds = w instanceof GuardedWrite.Copy copy
                    ? copy.appliesOver(positions.get(copy.key()))
                    : ((GuardedWrite.Counter) w).appliesOver(markers.getOrDefault(w.key(), Map.of()).get(((GuardedWrite.Counter) w).shardId()));
            refused |= !holds;
            reasons.add(CancellationReason.builder().code(holds ? "None" : "ConditionalCheckFailed").build());
        }
        if (refused) {
            throw TransactionCanceledException.builder().message("Transaction cancelled").cancellationReasons(reasons).build();
        }
        for (GuardedWrite w : pack) {
            if (w instanceof GuardedWrite.Copy copy) {
                put(copy);
            } else {
                update((GuardedWrite.Counter) w, finishedShards.getOrDefault(w.key(), Set.of()));
            }
        }
    }

    /** How many packs were sent, landed or not. */
    int packs() {
        return packs;
    }

    /** What a reader sees: no tombstones, no engine attributes. */
    Map<ItemKey, Map<String, AttributeValue>> visible() {
        return new LinkedHashMap<>(values.items());
    }
}
