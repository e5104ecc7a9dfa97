package io.projector.internal.commit;

import io.projector.internal.guard.UpdateExpression;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ItemMutation;
import io.projector.internal.store.AppliedVersionStore;
import io.projector.internal.store.DeadLetterStore;
import io.projector.internal.store.WatermarkStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleConsumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Commits a chunk as one TransactWriteItems: its item mutations plus the watermark of every
 * projection that wrote in it, each watermark conditioned on being below the first event the chunk
 * applies for that projection. A chunk that was already committed (redelivery, replay, a worker
 * that lost its lease) fails that condition and changes nothing.
 */
public final class ChunkCommitter {

    /** What became of a commit. */
    public enum Outcome {
        /** Everything in the chunk is now in the read model. */
        COMMITTED,
        /** A watermark was already at or past the chunk: nothing was written; reload the watermarks and re-plan. */
        ALREADY_APPLIED,
        /** A hand-off marker moved since it was read (the scan and the stream met on an item): nothing was written; reload and re-plan. */
        MARKERS_CHANGED
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final WatermarkStore watermarks;
    private final DeadLetterStore deadLetters;
    private final AppliedVersionStore markers;
    private final Clock clock;
    private final DoubleConsumer consumedWriteUnits;

    public ChunkCommitter(DynamoDbClient dynamo, String table, WatermarkStore watermarks, DeadLetterStore deadLetters, Clock clock) {
        this(dynamo, table, watermarks, deadLetters, clock, units -> { });
    }

    /** @param consumedWriteUnits told the write units DynamoDB reports for each committed transaction */
    public ChunkCommitter(DynamoDbClient dynamo, String table, WatermarkStore watermarks, DeadLetterStore deadLetters, Clock clock,
                          DoubleConsumer consumedWriteUnits) {
        this.consumedWriteUnits = consumedWriteUnits;
        this.dynamo = dynamo;
        this.table = table;
        this.watermarks = watermarks;
        this.deadLetters = deadLetters;
        this.markers = new AppliedVersionStore(dynamo, table, deadLetters.keys());
        this.clock = clock;
    }

    public Outcome commit(String shardId, Chunk chunk) {
        if (!chunk.needsCommit()) {
            return Outcome.COMMITTED;
        }
        List<TransactWriteItem> actions = new ArrayList<>(chunk.actionCount());
        chunk.mutations().values().forEach(m -> actions.add(action(m)));
        long now = clock.millis();
        chunk.parked().forEach(c -> actions.add(TransactWriteItem.builder().put(deadLetters.put(shardId, c, now)).build()));
        int firstMarker = actions.size();
        chunk.markers().forEach(m -> actions.add(TransactWriteItem.builder().put(markers.put(m, now)).build()));
        int firstWatermark = actions.size();
        long lastEvent = chunk.lastEvent().approximateCreationTime().toEpochMilli();
        chunk.watermarks().values().forEach(w ->
                actions.add(TransactWriteItem.builder().update(watermarks.advance(shardId, w, lastEvent, now)).build()));
        try {
            TransactWriteItemsResponse response = dynamo.transactWriteItems(TransactWriteItemsRequest.builder().transactItems(actions)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build());
            // What the read model costs is the figure operators pay for; DynamoDB reports it per table.
            if (response.hasConsumedCapacity()) {
                response.consumedCapacity().forEach(c -> consumedWriteUnits.accept(
                        c.writeCapacityUnits() != null ? c.writeCapacityUnits() : c.capacityUnits() != null ? c.capacityUnits() : 0));
            }
            return Outcome.COMMITTED;
        } catch (TransactionCanceledException e) {
            if (conditionFailed(e, firstWatermark, actions.size())) {
                return Outcome.ALREADY_APPLIED;
            }
            if (conditionFailed(e, firstMarker, firstWatermark)) {
                return Outcome.MARKERS_CHANGED;
            }
            throw e;
        }
    }

    private static boolean conditionFailed(TransactionCanceledException e, int from, int to) {
        if (!e.hasCancellationReasons()) {
            return false;
        }
        List<CancellationReason> reasons = e.cancellationReasons();
        for (int i = from; i < Math.min(to, reasons.size()); i++) {
            if ("ConditionalCheckFailed".equals(reasons.get(i).code())) {
                return true;
            }
        }
        return false;
    }

    public TransactWriteItem action(ItemMutation m) {
        Map<String, AttributeValue> key = m.key().toAttributes();
        if (m instanceof ItemMutation.Remove) {
            return TransactWriteItem.builder().delete(Delete.builder().tableName(table).key(key).build()).build();
        }
        if (m instanceof ItemMutation.Replace r) {
            Map<String, AttributeValue> item = new LinkedHashMap<>(r.attributes());
            item.putAll(key);
            return TransactWriteItem.builder().put(Put.builder().tableName(table).item(item).build()).build();
        }
        UpdateExpression update = UpdateExpression.of((ItemMutation.Update) m, Map.of());
        return TransactWriteItem.builder().update(Update.builder().tableName(table).key(key)
                .updateExpression(update.expression())
                .expressionAttributeNames(update.names())
                .expressionAttributeValues(update.values().isEmpty() ? null : update.values())
                .build()).build();
    }

}
