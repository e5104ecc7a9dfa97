package io.projector.internal.guard;

import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** The read-model table as a {@link GuardedTarget}: the requests of {@link GuardedRequests}. */
final class DynamoDbGuardedTarget implements GuardedTarget {

    private final DynamoDbClient dynamo;
    private final GuardedRequests requests;

    DynamoDbGuardedTarget(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.requests = new GuardedRequests(table);
    }

    @Override
    public boolean put(GuardedWrite.Copy copy) {
        try {
            dynamo.putItem(requests.copy(copy));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Map<String, AttributeValue> update(GuardedWrite.Counter counter, Set<String> finishedShards) {
        try {
            dynamo.updateItem(requests.counter(counter, finishedShards));
            return null;
        } catch (ConditionalCheckFailedException e) {
            return e.hasItem() ? e.item() : Map.of();
        }
    }
}
