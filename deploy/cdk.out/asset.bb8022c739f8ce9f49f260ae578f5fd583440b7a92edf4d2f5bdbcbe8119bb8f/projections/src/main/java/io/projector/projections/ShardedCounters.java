package io.projector.projections;

import io.projector.Item;
import io.projector.ItemKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * Reads a write-sharded counter: the items {@code <prefix>0 .. <prefix>N-1} (all with one SK) each
 * hold part of the count, and the count is their sum. A shard item that does not exist, or has no
 * such attribute, holds 0.
 *
 * <pre>{@code
 * long orders = ShardedCounters.total(dynamo, "orders-read", "STATS#ORDERS#", 10, "TOTAL", "count");
 * long inKit = ShardedCounters.sum(kit.items(), "STATS#ORDERS#", 10, "TOTAL", "count");
 * }</pre>
 */
public final class ShardedCounters {

    /** BatchGetItem reads at most 100 keys a call. */
    private static final int BATCH_GET_LIMIT = 100;
    private static final int MAX_ATTEMPTS = 10;

    private ShardedCounters() {
    }

    /** The keys of the N shard items. */
    public static List<ItemKey> keys(String pkPrefix, int shards, String sk) {
        Objects.requireNonNull(pkPrefix, "pkPrefix");
        Objects.requireNonNull(sk, "sk");
        if (shards < 1) {
            throw new IllegalArgumentException("a sharded counter has at least 1 shard, was " + shards);
        }
        List<ItemKey> keys = new ArrayList<>(shards);
        for (int shard = 0; shard < shards; shard++) {
            keys.add(ItemKey.of(pkPrefix + shard, sk));
        }
        return keys;
    }

    /**
     * The counter's value in these read-model items (e.g. {@code ProjectionTestKit.items()}):
     * the sum of {@code attribute} over the N shard items; other items are ignored.
     */
    public static long sum(Map<ItemKey, Item> items, String pkPrefix, int shards, String sk, String attribute) {
        long total = 0;
        for (ItemKey key : keys(pkPrefix, shards, sk)) {
            Item item = items.get(key);
            if (item != null && item.has(attribute)) {
                total = Math.addExact(total, item.longValue(attribute));
            }
        }
        return total;
    }

    /**
     * The counter's value in a read-model table: BatchGetItem (strongly consistent) of the N shard
     * items, 100 keys a call, unprocessed keys retried with backoff, then {@link #sum}.
     *
     * @throws IllegalStateException when some keys stay unprocessed after {@value #MAX_ATTEMPTS} attempts
     */
    public static long total(DynamoDbClient dynamo, String table, String pkPrefix, int shards, String sk, String attribute) {
        Objects.requireNonNull(dynamo, "dynamo");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(attribute, "attribute");
        List<ItemKey> keys = keys(pkPrefix, shards, sk);
        Map<ItemKey, Item> found = new LinkedHashMap<>();
        for (int from = 0; from < keys.size(); from += BATCH_GET_LIMIT) {
            List<Map<String, AttributeValue>> batch = new ArrayList<>();
            keys.subList(from, Math.min(keys.size(), from + BATCH_GET_LIMIT)).forEach(k -> batch.add(k.toAttributes()));
            Map<String, KeysAndAttributes> pending = Map.of(table, KeysAndAttributes.builder()
                    .keys(batch)
                    .consistentRead(true)
                    .projectionExpression("#pk, #sk, #a")
                    .expressionAttributeNames(Map.of("#pk", ItemKey.PARTITION_KEY, "#sk", ItemKey.SORT_KEY, "#a", attribute))
                    .build());
            for (int attempt = 1; !pending.isEmpty(); attempt++) {
                if (attempt > MAX_ATTEMPTS) {
                    throw new IllegalStateException("reading the counter " + pkPrefix + "<0.." + (shards - 1) + "> | " + sk + " of table "
                            + table + ": keys still unprocessed after " + MAX_ATTEMPTS + " BatchGetItem attempts");
                }
                if (attempt > 1) {
                    pause(attempt);
                }
                Map<String, KeysAndAttributes> request = pending;
                BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(request));
                for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                    ItemKey key = ItemKey.of(item.get(ItemKey.PARTITION_KEY).s(), item.get(ItemKey.SORT_KEY).s());
                    found.put(key, Item.of(item, "read-model item " + key));
                }
                pending = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        return sum(found, pkPrefix, shards, sk, attribute);
    }

    /** Backoff before retrying unprocessed keys: 50 ms doubling, at most 2 s. */
    private static void pause(int attempt) {
        long millis = Math.min(2_000L, 50L << Math.min(attempt - 2, 6));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading a sharded counter", e);
        }
    }
}
