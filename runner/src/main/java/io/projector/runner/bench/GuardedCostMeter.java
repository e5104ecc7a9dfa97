package io.projector.runner.bench;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Costs a guarded worker's single-item writes to one table by DynamoDB's pricing rules
 * ({@link WriteUnits}): every PutItem, UpdateItem and DeleteItem, the ones refused by their
 * condition too (DynamoDB bills those), and each tombstone once more for the delete that sweeps it
 * after its grace (later than a drain lasts).
 */
final class GuardedCostMeter implements ExecutionInterceptor {

    private final String table;
    private final DoubleAdder units = new DoubleAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder tombstones = new LongAdder();

    GuardedCostMeter(String table) {
        this.table = table;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        count(context.request(), false);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        if (context.exception() instanceof software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException) {
            count(context.request(), true);
        }
    }

    private void count(SdkRequest request, boolean conditionFailed) {
        long bytes;
        if (request instanceof PutItemRequest put && table.equals(put.tableName())) {
            bytes = WriteUnits.bytes(put.item());
            if (!conditionFailed && put.item().containsKey("projector:deleted")) {
                tombstones.increment();
                units.add(1);
            }
        } else if (request instanceof UpdateItemRequest update && table.equals(update.tableName())) {
            bytes = WriteUnits.updateBytes(update.key(), update.hasExpressionAttributeValues() ? update.expressionAttributeValues() : null);
        } else if (request instanceof DeleteItemRequest delete && table.equals(delete.tableName())) {
            bytes = WriteUnits.bytes(delete.key());
        } else {
            return;
        }
        requests.increment();
        if (conditionFailed) {
            refused.increment();
        }
        units.add(WriteUnits.standard(bytes));
    }

    double units() {
        return units.sum();
    }

    long requests() {
        return requests.sum();
    }

    long refused() {
        return refused.sum();
    }

    long tombstones() {
        return tombstones.sum();
    }
}
