package io.projector.internal.guard;

import io.projector.ItemKey;
import io.projector.internal.plan.InMemoryReadModel;
import io.projector.internal.plan.ItemMutation;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A read-model table in memory that evaluates the guarded writes' conditions exactly as the
 * DynamoDB requests state them: a copy's stored position, a counter's marker per shard, tombstones.
 */
final class GuardedTable {

    private final InMemoryReadModel values = new InMemoryReadModel();
    private final Map<ItemKey, StreamPosition> positions = new HashMap<>();
    private final Map<ItemKey, Boolean> tombstones = new HashMap<>();
    private final Map<ItemKey, Map<String, BigInteger>> markers = new HashMap<>();
    private int refused;

    /**
     * Sends one guarded write as the committer will: a refused counter is folded again from the
     * stored marker and sent again until the item holds every step.
     */
    void send(GuardedWrite write) {
        if (write instanceof GuardedWrite.Copy c) {
            StreamPosition stored = positions.get(c.key());
            if (!c.appliesOver(stored)) {
                refused++;
                return;
            }
            positions.put(c.key(), c.position());
            if (c.isTombstone()) {
                values.apply(new ItemMutation.Remove(c.key()));
                tombstones.put(c.key(), true);
            } else {
                values.apply(c.mutation());
                tombstones.remove(c.key());
            }
            return;
        }
        GuardedWrite.Counter counter = (GuardedWrite.Counter) write;
        Optional<GuardedWrite.Counter> pending = Optional.of(counter);
        while (pending.isPresent()) {
            GuardedWrite.Counter c = pending.get();
            BigInteger marker = markers.getOrDefault(c.key(), Map.of()).get(c.shardId());
            if (c.appliesOver(marker)) {
                values.apply(c.mutation());
                markers.computeIfAbsent(c.key(), k -> new HashMap<>()).put(c.shardId(), c.last());
                return;
            }
            refused++;
            pending = c.after(marker);
        }
    }

    /** What a reader sees: no tombstones, no engine attributes. */
    Map<ItemKey, Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> visible() {
        return new LinkedHashMap<>(values.items());
    }

    int refused() {
        return refused;
    }

    boolean isTombstone(ItemKey key) {
        return tombstones.containsKey(key);
    }
}
