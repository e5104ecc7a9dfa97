package io.projector.internal.guard;

import io.projector.ItemKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Where guarded writes land, one conditional request at a time: the read-model table, or a table
 * in memory that evaluates the same conditions, so that the property tests run the sender's own
 * loop.
 */
interface GuardedTarget {

    /** @return whether the copy's condition held and it was written */
    boolean put(GuardedWrite.Copy copy);

    /**
     * @return null if the update's condition held and it was applied; otherwise the item as stored,
     *     whose marker for the counter's shard says what to fold again
     */
    Map<String, AttributeValue> update(GuardedWrite.Counter counter, Set<String> finishedShards);

    /**
     * Writes a pack of distinct items as one transaction: all of it or nothing. A refused condition
     * fails it as DynamoDB does, with a TransactionCanceledException whose reasons name
     * ConditionalCheckFailed at that write's place; throttling, conflicts and refused data likewise.
     *
     * @param finishedShards per counter of the pack, the shards whose markers its update removes
     * @param after          more actions of the same transaction, after the writes (a window's progress marks)
     */
    void pack(List<GuardedWrite> pack, Map<ItemKey, Set<String>> finishedShards, List<TransactWriteItem> after);
}
