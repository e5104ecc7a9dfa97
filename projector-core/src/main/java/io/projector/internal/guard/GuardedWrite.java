package io.projector.internal.guard;

import io.projector.ItemKey;
import io.projector.Write;
import io.projector.internal.plan.ItemMutation;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * One read-model item's share of a window, written by one conditional request that guards itself,
 * so that a window sent again (after a crash, by a stale lease owner, as a retry whose answer was
 * lost) changes nothing twice. The condition each kind carries is stated here once, for the
 * DynamoDB requests and for the in-memory table of the property tests alike.
 */
public sealed interface GuardedWrite permits GuardedWrite.Copy, GuardedWrite.Counter {

    ItemKey key();

    /**
     * An item that only puts and deletes write (a copy of one source item): its last state in the
     * window, stored with the position of the change that produced it. A delete is stored as a
     * tombstone that holds the position, so that an older put sent late cannot bring the item back.
     *
     * @param mutation a {@link ItemMutation.Replace} or {@link ItemMutation.Remove}
     */
    record Copy(ItemKey key, ItemMutation mutation, StreamPosition position) implements GuardedWrite {
        public Copy {
            if (!(mutation instanceof ItemMutation.Replace || mutation instanceof ItemMutation.Remove)) {
                throw new IllegalArgumentException("a guarded copy is a put or a delete, not " + mutation);
            }
        }

        public boolean isTombstone() {
            return mutation instanceof ItemMutation.Remove;
        }

        /** The condition: the stored item is older than this change, or holds no position. */
        public boolean appliesOver(StreamPosition stored) {
            return stored == null || stored.compareTo(position) < 0;
        }
    }

    /**
     * An item that only increments and sets write (a counter, a set), fed by one stream shard in
     * this window: its writes in order with their sequence numbers. The item keeps, per shard that
     * fed it, the last sequence number folded in (its marker); a request applies only over a marker
     * below its first write, and a refused one is folded again from what lies after the stored marker.
     */
    record Counter(ItemKey key, String shardId, List<Step> steps) implements GuardedWrite {
        public Counter {
            steps = List.copyOf(steps);
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("a guarded counter write needs at least one step");
            }
            for (int i = 1; i < steps.size(); i++) {
                // Equal is allowed: one change may write the item more than once, and its writes stay together.
                if (steps.get(i).sequence().compareTo(steps.get(i - 1).sequence()) < 0) {
                    throw new IllegalArgumentException("the steps of " + key + " from " + shardId + " are not in sequence order");
                }
            }
        }

        public BigInteger first() {
            return steps.get(0).sequence();
        }

        public BigInteger last() {
            return steps.get(steps.size() - 1).sequence();
        }

        /** The condition: nothing of this request is in the item yet. */
        public boolean appliesOver(BigInteger storedMarker) {
            return storedMarker == null || storedMarker.compareTo(first()) < 0;
        }

        /**
         * What is left to send once the item's marker for this shard is {@code storedMarker}: the
         * steps after it, or nothing if the item already holds them all.
         */
        public Optional<Counter> after(BigInteger storedMarker) {
            if (storedMarker == null) {
                return Optional.of(this);
            }
            List<Step> rest = steps.stream().filter(s -> s.sequence().compareTo(storedMarker) > 0).toList();
            return rest.isEmpty() ? Optional.empty() : Optional.of(new Counter(key, shardId, rest));
        }

        /** The steps folded into the one update to send. */
        public ItemMutation.Update mutation() {
            ItemMutation folded = ItemMutation.of(steps.get(0).write());
            for (int i = 1; i < steps.size(); i++) {
                folded = folded.then(steps.get(i).write());
            }
            return (ItemMutation.Update) folded;
        }
    }

    /** One increment or set of a counter item, at its change's sequence number. */
    record Step(BigInteger sequence, Write write) {
        public Step {
            if (!(write instanceof Write.Increment || write instanceof Write.SetAttributes)) {
                throw new IllegalArgumentException("a counter step is an increment or a set, not " + write);
            }
        }
    }
}
