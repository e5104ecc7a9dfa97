package io.projector.internal.guard;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.projector.ItemKey;
import java.util.function.BiConsumer;
import java.util.function.DoubleConsumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** The read-model table as a {@link GuardedTarget}: the requests of {@link GuardedRequests}. */
final class DynamoDbGuardedTarget implements GuardedTarget {

    /** How long a tombstone no worker swept stays before the table's time to live removes it. */
    static final long TOMBSTONE_TTL_SECONDS = 24 * 3600;

    private final DynamoDbClient dynamo;
    private final GuardedRequests requests;
    private final Clock clock;
    private final DoubleConsumer consumedWriteUnits;
    /** Told each counter item as it stood before an update applied (null: not asked for). */
    private final BiConsumer<ItemKey, Map<String, AttributeValue>> updatedOver;

    DynamoDbGuardedTarget(DynamoDbClient dynamo, String table) {
        this(dynamo, table, Clock.systemUTC(), units -> { }, null);
    }

    DynamoDbGuardedTarget(DynamoDbClient dynamo, String table, Clock clock, DoubleConsumer consumedWriteUnits,
                          BiConsumer<ItemKey, Map<String, AttributeValue>> updatedOver) {
        this.dynamo = dynamo;
        this.requests = new GuardedRequests(table);
        this.clock = clock;
        this.consumedWriteUnits = consumedWriteUnits;
        this.updatedOver = updatedOver;
    }

    @Override
    public boolean put(GuardedWrite.Copy copy) {
        PutItemRequest request = requests.copy(copy, clock.millis() / 1000 + TOMBSTONE_TTL_SECONDS)
                .toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
        try {
            count(dynamo.putItem(request).consumedCapacity());
            return true;
        } catch (ConditionalCheckFailedException e) {
            // A refused condition is billed too, as a write of the item's size: counted as one unit.
            consumedWriteUnits.accept(1);
            return false;
        }
    }

    @Override
    public Map<String, AttributeValue> update(GuardedWrite.Counter counter, Set<String> finishedShards) {
        UpdateItemRequest.Builder builder = requests.counter(counter, finishedShards).toBuilder()
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
        if (updatedOver != null) {
            // The item as it was, at no extra cost: which markers it holds, for pruning them with its next update.
            builder.returnValues(ReturnValue.ALL_OLD);
        }
        try {
            var response = dynamo.updateItem(builder.build());
            count(response.consumedCapacity());
            if (updatedOver != null && response.hasAttributes()) {
                updatedOver.accept(counter.key(), response.attributes());
            }
            return null;
        } catch (ConditionalCheckFailedException e) {
            consumedWriteUnits.accept(1);
            return e.hasItem() ? e.item() : Map.of();
        }
    }

    @Override
    public void pack(List<GuardedWrite> pack, Map<ItemKey, Set<String>> finishedShards, List<TransactWriteItem> after) {
        long expiresAt = clock.millis() / 1000 + TOMBSTONE_TTL_SECONDS;
        List<TransactWriteItem> actions = new ArrayList<>(pack.size() + after.size());
        for (GuardedWrite w : pack) {
            actions.add(requests.packed(w, finishedShards.getOrDefault(w.key(), Set.of()), expiresAt));
        }
        actions.addAll(after);
        try {
            var response = dynamo.transactWriteItems(TransactWriteItemsRequest.builder().transactItems(actions)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build());
            if (response.hasConsumedCapacity()) {
                response.consumedCapacity().forEach(this::count);
            }
        } catch (TransactionCanceledException e) {
            // A cancelled transaction reports no capacity; it is billed as its actions, counted as one unit each.
            consumedWriteUnits.accept(actions.size());
            throw e;
        }
    }

    private void count(ConsumedCapacity c) {
        if (c != null) {
            consumedWriteUnits.accept(c.writeCapacityUnits() != null ? c.writeCapacityUnits() : c.capacityUnits() != null ? c.capacityUnits() : 0);
        }
    }
}
