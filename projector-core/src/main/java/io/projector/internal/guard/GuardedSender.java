package io.projector.internal.guard;

import io.projector.ItemKey;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Sends one {@link GuardedWrite} until the item holds it: a refused copy already holds this change
 * or a later one; a refused counter is folded again from the marker the refusal returns and sent
 * again, until nothing of it is missing. Retries of throttling and server errors are the caller's.
 */
public final class GuardedSender {

    /** What one write took: requests sent, and of those refused by their condition. */
    public record Sent(int requests, int refused) {
    }

    private final GuardedTarget target;

    public GuardedSender(DynamoDbClient dynamo, String table) {
        this(new DynamoDbGuardedTarget(dynamo, table));
    }

    /**
     * @param consumedWriteUnits told the write units of every request, a refused one's too
     * @param updatedOver        told each counter item as it stood before an update applied (null: not asked for)
     */
    public GuardedSender(DynamoDbClient dynamo, String table, java.time.Clock clock, java.util.function.DoubleConsumer consumedWriteUnits,
                         java.util.function.BiConsumer<io.projector.ItemKey, Map<String, AttributeValue>> updatedOver) {
        this(new DynamoDbGuardedTarget(dynamo, table, clock, consumedWriteUnits, updatedOver));
    }

    GuardedSender(GuardedTarget target) {
        this.target = target;
    }

    /**
     * Sends a pack of distinct items as one transaction (see {@link GuardedPacks}). When it fails only
     * because some of its conditions did ({@code conditionsOnly}: some items already hold what it
     * carries, or a counter's marker is past part of it), nothing of it was written, and each of its
     * writes is sent alone as {@link #send(GuardedWrite, Set)} does: a refused copy is done, a refused
     * counter folds again from its stored marker. Any other failure is the caller's, as a single
     * request's is.
     *
     * @param finishedShards per counter of the pack, the shards whose markers its update may remove
     * @return per write of the pack, in its order, what it took: a write that landed with its pack
     *     counts the pack's one request, none refused
     */
    public List<Sent> send(List<GuardedWrite> pack, Map<ItemKey, Set<String>> finishedShards,
                           java.util.function.Predicate<RuntimeException> conditionsOnly) {
        try {
            target.pack(pack, finishedShards, List.of());
            return java.util.Collections.nCopies(pack.size(), new Sent(1, 0));
        } catch (RuntimeException e) {
            if (!conditionsOnly.test(e)) {
                throw e;
            }
        }
        List<Sent> out = new ArrayList<>(pack.size());
        for (GuardedWrite w : pack) {
            out.add(send(w, finishedShards.getOrDefault(w.key(), Set.of())));
        }
        return out;
    }

    /**
     * Sends a pack and {@code after} (more actions: a window's progress marks) as one transaction, all
     * or nothing; any failure, a refused condition too, is the caller's, who then sends the window the
     * longer way.
     */
    public void sendWhole(List<GuardedWrite> pack, Map<ItemKey, Set<String>> finishedShards,
                          List<software.amazon.awssdk.services.dynamodb.model.TransactWriteItem> after) {
        target.pack(pack, finishedShards, after);
    }

    public Sent send(GuardedWrite write) {
        return send(write, Set.of());
    }

    /** @param finishedShards shards whose markers a counter's update may remove (see {@link GuardedRequests#counter(GuardedWrite.Counter, Set)}) */
    public Sent send(GuardedWrite write, Set<String> finishedShards) {
        if (write instanceof GuardedWrite.Copy copy) {
            return target.put(copy) ? new Sent(1, 0) : new Sent(1, 1);
        }
        Optional<GuardedWrite.Counter> pending = Optional.of((GuardedWrite.Counter) write);
        int sent = 0;
        int refused = 0;
        while (pending.isPresent()) {
            GuardedWrite.Counter counter = pending.get();
            sent++;
            Map<String, AttributeValue> stored = target.update(counter, finishedShards);
            if (stored == null) {
                return new Sent(sent, refused);
            }
            refused++;
            BigInteger marker = GuardedRequests.storedMarker(stored, counter.shardId());
            if (stored.containsKey(GuardedRequests.POSITION)) {
                throw new MixedWriteStylesException("read-model item " + counter.key() + " is a copy (an earlier change put or deleted it) "
                        + "and a change of shard " + counter.shardId() + " up to " + counter.last() + " increments or sets it; the guarded "
                        + "commit keeps an item either a copy or a counter: write the two to different items, or run with --commit-mode transactional");
            }
            if (marker == null) {
                // The condition failed on a marker that is not there: not ours to guess past.
                throw new IllegalStateException("the guarded update of " + counter.key() + " was refused without a stored marker for "
                        + counter.shardId() + "; was the item's marker removed while its shard was still being read?");
            }
            pending = counter.after(marker);
        }
        return new Sent(sent, refused);
    }
}
