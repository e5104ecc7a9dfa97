package io.projector.internal.guard;

import io.projector.ItemKey;
import io.projector.internal.plan.ItemMutation;
import io.projector.internal.plan.ItemSize;
import io.projector.internal.store.DeadLetterStore;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The DynamoDB request of each {@link GuardedWrite}, its condition the one the write states. The
 * engine's attributes on a read-model item start with {@value #PREFIX}: a copy's position and
 * tombstone flag, a counter's marker per stream shard.
 */
public final class GuardedRequests {

    public static final String PREFIX = io.projector.Write.RESERVED_PREFIX;
    /** On a copy: the encoded {@link StreamPosition} of the change it holds. */
    public static final String POSITION = PREFIX + "position";
    /** On a deleted copy: true. The item is a tombstone that keeps the position until it is swept. */
    public static final String DELETED = PREFIX + "deleted";
    private static final String MARKER = PREFIX + "marker:";

    private final String table;

    public GuardedRequests(String table) {
        this.table = table;
    }

    /** A copy's put, or a delete's tombstone, applied only over an older position or none. */
    public PutItemRequest copy(GuardedWrite.Copy copy) {
        return copy(copy, 0);
    }

    /**
     * The same, a tombstone carrying the table's time-to-live attribute at {@code tombstoneExpiresAtSeconds}
     * (0: none): if no worker sweeps it (the one that wrote it stopped first), DynamoDB removes it.
     */
    public PutItemRequest copy(GuardedWrite.Copy copy, long tombstoneExpiresAtSeconds) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        if (copy.mutation() instanceof ItemMutation.Replace r) {
            item.putAll(r.attributes());
        } else {
            item.put(DELETED, AttributeValue.fromBool(true));
            if (tombstoneExpiresAtSeconds > 0) {
                item.put(DeadLetterStore.EXPIRES_AT, AttributeValue.fromN(Long.toString(tombstoneExpiresAtSeconds)));
            }
        }
        item.putAll(copy.key().toAttributes());
        item.put(POSITION, AttributeValue.fromS(copy.position().encoded()));
        return PutItemRequest.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(#p) OR #p < :p")
                .expressionAttributeNames(Map.of("#p", POSITION))
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(copy.position().encoded())))
                .build();
    }

    /**
     * A counter's folded update with its shard's marker moved to its last step, applied only over
     * a marker below its first step or none; a refusal returns the stored item, whose marker says
     * what to fold again ({@link #storedMarker}).
     */
    public UpdateItemRequest counter(GuardedWrite.Counter counter) {
        return counter(counter, Set.of());
    }

    /**
     * The same, removing in the same request the markers of {@code finishedShards}: shards read to
     * their end whose windows no owner, however stale, can send again. A marker removed too early
     * lets an old window of its shard apply twice, so the caller proves that first (its shard
     * closed and fully processed longer ago than a lease can outlive its owner); this request only
     * saves the extra write a pruning of its own would cost.
     */
    public UpdateItemRequest counter(GuardedWrite.Counter counter, Set<String> finishedShards) {
        String marker = marker(counter.shardId());
        Set<String> pruned = new java.util.LinkedHashSet<>();
        for (String shard : finishedShards) {
            if (!shard.equals(counter.shardId())) {
                pruned.add(marker(shard));
            }
        }
        UpdateExpression update = UpdateExpression.of(counter.mutation(), Map.of(marker, AttributeValue.fromS(encoded(counter.last()))), pruned);
        Map<String, String> names = new HashMap<>(update.names());
        names.put("#m", marker);
        names.put("#pos", POSITION);
        Map<String, AttributeValue> values = new HashMap<>(update.values());
        values.put(":first", AttributeValue.fromS(encoded(counter.first())));
        return UpdateItemRequest.builder().tableName(table).key(counter.key().toAttributes())
                .updateExpression(update.expression())
                // A copy's position on the item means it is not a counter: a window of another style wrote it.
                .conditionExpression("(attribute_not_exists(#m) OR #m < :first) AND attribute_not_exists(#pos)")
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    /**
     * The same request as one action of a transaction (a pack): the same item or update, the same
     * condition. A transaction returns no item per action, so the update asks for none.
     */
    public TransactWriteItem packed(GuardedWrite write, Set<String> finishedShards, long tombstoneExpiresAtSeconds) {
        if (write instanceof GuardedWrite.Copy copy) {
            PutItemRequest put = copy(copy, tombstoneExpiresAtSeconds);
            return TransactWriteItem.builder().put(Put.builder().tableName(table).item(put.item())
                    .conditionExpression(put.conditionExpression())
                    .expressionAttributeNames(put.expressionAttributeNames())
                    .expressionAttributeValues(put.expressionAttributeValues()).build()).build();
        }
        UpdateItemRequest update = counter((GuardedWrite.Counter) write, finishedShards);
        return TransactWriteItem.builder().update(Update.builder().tableName(table).key(update.key())
                .updateExpression(update.updateExpression())
                .conditionExpression(update.conditionExpression())
                .expressionAttributeNames(update.expressionAttributeNames())
                .expressionAttributeValues(update.expressionAttributeValues()).build()).build();
    }

    /**
     * What a write adds to a pack's size as DynamoDB counts it toward a transaction's 4 MB (its item,
     * or its key and values, plus expressions and names): over-estimated, never under.
     */
    public long bytes(GuardedWrite write) {
        TransactWriteItem action = packed(write, Set.of(), 0);
        if (action.put() != null) {
            Put put = action.put();
            return ItemSize.of(put.item()) + ItemSize.of(put.expressionAttributeValues()) + text(put.conditionExpression())
                    + text(put.expressionAttributeNames()) + ACTION_OVERHEAD;
        }
        Update update = action.update();
        return ItemSize.of(update.key()) + ItemSize.of(update.expressionAttributeValues()) + text(update.updateExpression())
                + text(update.conditionExpression()) + text(update.expressionAttributeNames()) + ACTION_OVERHEAD;
    }

    /** Table name, the action's framing and the markers of finished shards a packed update removes (up to 16): a margin per action. */
    private static final long ACTION_OVERHEAD = 2_048;

    private static long text(String s) {
        return s == null ? 0 : s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static long text(Map<String, String> names) {
        long n = 0;
        for (Map.Entry<String, String> e : names.entrySet()) {
            n += text(e.getKey()) + text(e.getValue());
        }
        return n;
    }

    /**
     * Removes a tombstone once no stale put can be sent any more: only this tombstone, not an item
     * a later change put there since.
     */
    public DeleteItemRequest sweep(ItemKey key, StreamPosition position) {
        return DeleteItemRequest.builder().tableName(table).key(key.toAttributes())
                .conditionExpression("#d = :t AND #p = :p")
                .expressionAttributeNames(Map.of("#d", DELETED, "#p", POSITION))
                .expressionAttributeValues(Map.of(":t", AttributeValue.fromBool(true), ":p", AttributeValue.fromS(position.encoded())))
                .build();
    }

    /** Whether a stored item is a tombstone: readers and checks treat it as absent. */
    public static boolean isTombstone(Map<String, AttributeValue> item) {
        AttributeValue v = item == null ? null : item.get(DELETED);
        return v != null && Boolean.TRUE.equals(v.bool());
    }

    /** The marker of {@code shardId} on a stored item, or null if that shard never wrote it. */
    public static BigInteger storedMarker(Map<String, AttributeValue> item, String shardId) {
        AttributeValue v = item == null ? null : item.get(marker(shardId));
        return v == null || v.s() == null ? null : new BigInteger(v.s());
    }

    /** The shards whose markers a stored item holds. */
    public static Set<String> markerShards(Map<String, AttributeValue> item) {
        Set<String> out = new java.util.HashSet<>();
        if (item != null) {
            item.keySet().forEach(name -> {
                if (name.startsWith(MARKER)) {
                    out.add(name.substring(MARKER.length()));
                }
            });
        }
        return out;
    }

    static String marker(String shardId) {
        return MARKER + shardId;
    }

    static String encoded(BigInteger sequence) {
        return StreamPosition.encoded(sequence);
    }
}
