package io.projector.internal.guard;

import io.projector.ItemKey;
import io.projector.Write;
import io.projector.internal.plan.ItemMutation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The planned writes of one shard's window folded per read-model item into {@link GuardedWrite}s,
 * with no limit but the item's own: one request per item, whatever the number of records. An item
 * is either a copy (only puts and deletes) or a counter (only increments and sets); a write that
 * would mix the two on one item is refused with the reason, before anything is folded.
 */
public final class GuardedWindow {

    private final String shardId;
    private final long shardCreatedMillis;
    private final Map<ItemKey, Copying> copies = new LinkedHashMap<>();
    private final Map<ItemKey, List<GuardedWrite.Step>> counters = new LinkedHashMap<>();
    private final List<ItemKey> order = new ArrayList<>();

    /** @throws IllegalArgumentException if the shard id does not carry its creation time (then copies need another guard) */
    public GuardedWindow(String shardId) {
        this.shardId = shardId;
        // Parsed once a window, not once a write.
        this.shardCreatedMillis = StreamPosition.creationMillisOf(shardId);
    }

    /**
     * Adds a projection's write for the change at {@code sequenceNumber} of this window's shard.
     * Writes come in the shard's order.
     *
     * @throws MixedWriteStylesException if the item already takes the other style of write in this window
     */
    public void add(String sequenceNumber, Write write) {
        StreamPosition position = new StreamPosition(shardCreatedMillis, StreamPosition.sequence(sequenceNumber));
        ItemKey key = write.key();
        boolean copyStyle = write instanceof Write.Put || write instanceof Write.Delete;
        if (copyStyle && counters.containsKey(key) || !copyStyle && copies.containsKey(key)) {
            throw new MixedWriteStylesException(key, write);
        }
        if (!copies.containsKey(key) && !counters.containsKey(key)) {
            order.add(key);
        }
        if (copyStyle) {
            copies.put(key, new Copying(ItemMutation.of(write), position));
        } else {
            counters.computeIfAbsent(key, k -> new ArrayList<>()).add(new GuardedWrite.Step(position.sequence(), write));
        }
    }

    /** One guarded write per item, in the order the items were first written. */
    public List<GuardedWrite> writes() {
        List<GuardedWrite> out = new ArrayList<>(order.size());
        for (ItemKey key : order) {
            Copying c = copies.get(key);
            out.add(c != null ? new GuardedWrite.Copy(key, c.mutation(), c.position()) : new GuardedWrite.Counter(key, shardId, counters.get(key)));
        }
        return out;
    }

    public boolean isEmpty() {
        return order.isEmpty();
    }

    private record Copying(ItemMutation mutation, StreamPosition position) {
    }
}
