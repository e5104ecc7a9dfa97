package io.projector.internal.guard;

import io.projector.ItemKey;
import io.projector.internal.plan.InMemoryReadModel;
import io.projector.internal.plan.ItemMutation;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A read-model table in memory that evaluates the guarded writes' conditions exactly as the
 * DynamoDB requests state them (a copy's stored position, a counter's marker per shard,
 * tombstones) and answers a refused update with the stored markers, as DynamoDB's ALL_OLD does.
 */
final class GuardedTable implements GuardedTarget {

    private final InMemoryReadModel values = new InMemoryReadModel();
    private final Map<ItemKey, StreamPosition> positions = new HashMap<>();
    private final Map<ItemKey, Map<String, BigInteger>> markers = new HashMap<>();

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

    /** What a reader sees: no tombstones, no engine attributes. */
    Map<ItemKey, Map<String, AttributeValue>> visible() {
        return new LinkedHashMap<>(values.items());
    }
}
