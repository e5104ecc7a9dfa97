package io.projector.runner.bench;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Costs the worker's successful TransactWriteItems calls by DynamoDB's pricing rules
 * ({@link WriteUnits}), seen from the read-model client. DynamoDB Local reports a figure for
 * transactions that does not follow those rules (it does not grow with the number of items), so
 * the benchmark compares this estimate, applied the same way to both sides.
 */
final class TransactionCostMeter implements ExecutionInterceptor {

    private final DoubleAdder units = new DoubleAdder();
    private final LongAdder transactions = new LongAdder();
    private final LongAdder actions = new LongAdder();

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof TransactWriteItemsRequest request) {
            transactions.increment();
            actions.add(request.transactItems().size());
            units.add(cost(request));
        }
    }

    static double cost(TransactWriteItemsRequest request) {
        double total = 0;
        for (TransactWriteItem action : request.transactItems()) {
            total += WriteUnits.transactional(bytes(action));
        }
        return total;
    }

    private static long bytes(TransactWriteItem action) {
        if (action.put() != null) {
            return WriteUnits.bytes(action.put().item());
        }
        if (action.update() != null) {
            return WriteUnits.updateBytes(action.update().key(),
                    action.update().hasExpressionAttributeValues() ? action.update().expressionAttributeValues() : null);
        }
        if (action.delete() != null) {
            return WriteUnits.bytes(action.delete().key());
        }
        return WriteUnits.bytes(action.conditionCheck().key());
    }

    double units() {
        return units.sum();
    }

    long transactions() {
        return transactions.sum();
    }

    long actions() {
        return actions.sum();
    }
}
