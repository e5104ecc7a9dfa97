package io.projector.internal.store;

import io.projector.ItemKey;
import io.projector.SequenceNumber;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.plan.WatermarkAdvance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The watermarks, one item per (projection, shard) in the read-model table: the last sequence
 * number whose writes that projection committed on that shard. They are the truth about progress;
 * KCL checkpoints are only a hint of where to resume reading.
 *
 * <p>Item: PK {@code PROJECTOR#<application>#WATERMARK#<projection>}, SK {@code SHARD#<shardId>} ({@link EngineKeys}), with
 * {@code seq} (the sequence number zero-padded, so string order is numeric order),
 * {@code sequenceNumber}, {@code updatedAt} and {@code lastEventAt} (epoch millis).
 */
public final class WatermarkStore {

    static final String SEQ = "seq";

    private final DynamoDbClient dynamo;
    private final String table;
    private final EngineKeys keys;

    public WatermarkStore(DynamoDbClient dynamo, String table, EngineKeys keys) {
        this.dynamo = dynamo;
        this.table = table;
        this.keys = keys;
    }

    public EngineKeys keys() {
        return keys;
    }

    public ItemKey key(String projection, String shardId) {
        return keys.watermark(projection, shardId);
    }

    /** Consistent reads of the watermarks of these projections on one shard; a projection without one is absent. */
    public Map<String, SequenceNumber> load(String shardId, List<String> projections) {
        Map<String, SequenceNumber> out = new HashMap<>();
        Map<ItemKey, String> byKey = new HashMap<>();
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (String p : projections) {
            ItemKey k = key(p, shardId);
            byKey.put(k, p);
            keys.add(k.toAttributes());
        }
        for (Map<String, AttributeValue> item : ConsistentBatchGet.items(dynamo, table, keys)) {
            ItemKey k = ItemKey.of(item.get(ItemKey.PARTITION_KEY).s(), item.get(ItemKey.SORT_KEY).s());
            out.put(byKey.get(k), SequenceNumber.parse(stripZeros(item.get(SEQ).s())));
        }
        return out;
    }

    /** One projection's watermark on one shard, as {@code projector status} shows it. */
    public record Mark(String shardId, SequenceNumber sequenceNumber, long lastEventMillis, long updatedAtMillis) {
    }

    /** The projection's watermarks on every shard it ever committed on. */
    public List<Mark> all(String projection) {
        List<Mark> out = new ArrayList<>();
        dynamo.queryPaginator(b -> b.tableName(table).consistentRead(true).keyConditionExpression("PK = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(keys.watermarkPartition(projection))))).items().forEach(i -> out.add(
                new Mark(i.get(ItemKey.SORT_KEY).s().substring(EngineKeys.SHARD_SORT_PREFIX.length()), SequenceNumber.parse(stripZeros(i.get(SEQ).s())),
                        i.containsKey("lastEventAt") ? Long.parseLong(i.get("lastEventAt").n()) : 0,
                        i.containsKey("updatedAt") ? Long.parseLong(i.get("updatedAt").n()) : 0)));
        return out;
    }

    /** Whether the projection has a watermark on any shard, i.e. has applied stream changes to this table. */
    public boolean hasAny(String projection) {
        return dynamo.query(b -> b.tableName(table).consistentRead(true).limit(1).keyConditionExpression("PK = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(keys.watermarkPartition(projection))))).count() > 0;
    }

    /**
     * Moves a projection's watermark up to {@code to} where it is below: every change up to
     * {@code to} is committed, and those this projection did not write for (other entity types)
     * need nothing. So a watermark always reaches where the application checkpoints, and one that
     * stays behind means the projection did not run. {@code lastEventAt} stays: nothing was applied.
     * Returns false when the watermark was already there.
     */
    public boolean catchUp(String shardId, String projection, SequenceNumber to, long nowMillis) {
        return moveUp(shardId, projection, to, nowMillis);
    }

    /**
     * Moves a watermark up to {@code to} outside a chunk's transaction, for changes already committed
     * or judged (a hand-off's end); a watermark already there or past it stays.
     */
    public void raise(String projection, String shardId, SequenceNumber to, long nowMillis) {
        moveUp(shardId, projection, to, nowMillis);
    }

    private boolean moveUp(String shardId, String projection, SequenceNumber to, long nowMillis) {
        try {
            dynamo.updateItem(b -> b.tableName(table).key(key(projection, shardId).toAttributes())
                    .updateExpression("SET #seq = :to, #raw = :raw, #upd = :now")
                    .conditionExpression("attribute_not_exists(#seq) OR #seq < :to")
                    .expressionAttributeNames(Map.of("#seq", SEQ, "#raw", "sequenceNumber", "#upd", "updatedAt"))
                    .expressionAttributeValues(Map.of(":to", AttributeValue.fromS(to.sortable()),
                            ":raw", AttributeValue.fromS(to.toString()), ":now", AttributeValue.fromN(Long.toString(nowMillis)))));
            return true;
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Moves a watermark forward to a guarded window's last change, after every write of the window
     * is resolved: a progress mark that never goes back, since the writes guard themselves. False
     * when it already stood there or beyond (another owner of the shard went further).
     */
    public boolean progress(String shardId, WatermarkAdvance advance, long lastEventMillis, long nowMillis) {
        Update mark = mark(shardId, advance, lastEventMillis, nowMillis, true);
        try {
            dynamo.updateItem(b -> b.tableName(mark.tableName()).key(mark.key()).updateExpression(mark.updateExpression())
                    .conditionExpression(mark.conditionExpression()).expressionAttributeNames(mark.expressionAttributeNames())
                    .expressionAttributeValues(mark.expressionAttributeValues()));
            return true;
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** {@link #progress}'s move as a transaction action, for a store bound by requests (guarded writes packed): the same condition. */
    public Update progressAction(String shardId, WatermarkAdvance advance, long lastEventMillis, long nowMillis) {
        return mark(shardId, advance, lastEventMillis, nowMillis, true);
    }

    /** The transaction action that moves a watermark, conditioned on it being below the first event the commit applies. */
    public Update advance(String shardId, WatermarkAdvance advance, long lastEventMillis, long nowMillis) {
        return mark(shardId, advance, lastEventMillis, nowMillis, false);
    }

    /** The move to {@code advance.to()}: conditioned on the mark being below it ({@code forwardOnly}) or below the first change applied. */
    private Update mark(String shardId, WatermarkAdvance advance, long lastEventMillis, long nowMillis, boolean forwardOnly) {
        Map<String, AttributeValue> values = new java.util.HashMap<>(Map.of(
                ":to", AttributeValue.fromS(advance.to().sortable()),
                ":raw", AttributeValue.fromS(advance.to().toString()),
                ":now", AttributeValue.fromN(Long.toString(nowMillis)),
                ":evt", AttributeValue.fromN(Long.toString(lastEventMillis))));
        if (!forwardOnly) {
            values.put(":first", AttributeValue.fromS(advance.firstApplied().sortable()));
        }
        return Update.builder()
                .tableName(table)
                .key(key(advance.projection(), shardId).toAttributes())
                .updateExpression("SET #seq = :to, #raw = :raw, #upd = :now, #evt = :evt")
                .conditionExpression(forwardOnly ? "attribute_not_exists(#seq) OR #seq < :to" : "attribute_not_exists(#seq) OR #seq < :first")
                .expressionAttributeNames(Map.of("#seq", SEQ, "#raw", "sequenceNumber", "#upd", "updatedAt", "#evt", "lastEventAt"))
                .expressionAttributeValues(values)
                .build();
    }

    static String stripZeros(String sortable) {
        String s = sortable.replaceFirst("^0+", "");
        return s.isEmpty() ? "0" : s;
    }
}
