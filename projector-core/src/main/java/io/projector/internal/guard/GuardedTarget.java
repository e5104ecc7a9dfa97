package io.projector.internal.guard;

import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

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
}
