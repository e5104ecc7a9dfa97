package io.projector.internal.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * Strongly consistent reads of many items of one table: 100 keys a call. Unprocessed keys mean the
 * table is short of read capacity, so they are asked again only after a pause (full jitter over
 * 50 ms doubling to 2 s); after {@value #MAX_ATTEMPTS} calls the read fails as throttled, and the
 * caller's retry and breaker take over.
 */
final class ConsistentBatchGet {

    static final int MAX_ATTEMPTS = 8;
    private static final long BASE_MILLIS = 50;
    private static final long MAX_MILLIS = 2_000;

    /** Where the pause goes (a sleep; tests record it). */
    interface Pause {
        void millis(long millis) throws InterruptedException;
    }

    private ConsistentBatchGet() {
    }

    static List<Map<String, AttributeValue>> items(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys) {
        return items(dynamo, table, keys, Thread::sleep);
    }

    static List<Map<String, AttributeValue>> items(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys, Pause pause) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        SplittableRandom random = new SplittableRandom();
        for (int from = 0; from < keys.size(); from += 100) {
            Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder()
                    .keys(keys.subList(from, Math.min(keys.size(), from + 100))).consistentRead(true).build());
            for (int attempt = 1; !request.isEmpty(); attempt++) {
                if (attempt > MAX_ATTEMPTS) {
                    String message = "BatchGetItem on table " + table + ": keys still unprocessed after " + MAX_ATTEMPTS
                            + " calls (the table is short of read capacity)";
                    throw (DynamoDbException) DynamoDbException.builder().statusCode(400).message(message)
                            .awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException")
                                    .errorMessage(message).serviceName("DynamoDb").build()).build();
                }
                if (attempt > 1) {
                    long ceiling = Math.min(MAX_MILLIS, BASE_MILLIS << Math.min(attempt - 2, 10));
                    try {
                        pause.millis(random.nextLong(ceiling + 1));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while reading " + table, e);
                    }
                }
                BatchGetItemResponse r = dynamo.batchGetItem(BatchGetItemRequest.builder().requestItems(request).build());
                out.addAll(r.responses().getOrDefault(table, List.of()));
                request = r.hasUnprocessedKeys() && !r.unprocessedKeys().isEmpty() ? r.unprocessedKeys() : Map.of();
            }
        }
        return out;
    }
}
