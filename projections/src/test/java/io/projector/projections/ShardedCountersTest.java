package io.projector.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.AttributeValues;
import io.projector.Item;
import io.projector.ItemKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

class ShardedCountersTest {

    private static Item counter(long n) {
        return Item.of(Map.of("count", AttributeValues.of(n)));
    }

    @Test
    void keysAreThePrefixWithTheShardNumbers() {
        assertThat(ShardedCounters.keys("STATS#ORDERS#", 3, "TOTAL")).containsExactly(
                ItemKey.of("STATS#ORDERS#0", "TOTAL"), ItemKey.of("STATS#ORDERS#1", "TOTAL"), ItemKey.of("STATS#ORDERS#2", "TOTAL"));
        assertThatThrownBy(() -> ShardedCounters.keys("STATS#ORDERS#", 0, "TOTAL")).hasMessageContaining("at least 1 shard");
    }

    @Test
    void sumAddsTheShardsAndIgnoresEverythingElse() {
        Map<ItemKey, Item> items = new LinkedHashMap<>();
        items.put(ItemKey.of("STATS#ORDERS#0", "TOTAL"), counter(5));
        items.put(ItemKey.of("STATS#ORDERS#2", "TOTAL"), counter(-1));           // shards may go below 0 for a while
        items.put(ItemKey.of("STATS#ORDERS#3", "TOTAL"), Item.of(Map.of()));     // no attribute: 0
        items.put(ItemKey.of("STATS#ORDERS#4", "TOTAL"), counter(100));          // past N: not a shard
        items.put(ItemKey.of("STATS#ORDERS#1", "OTHER"), counter(100));          // another SK
        items.put(ItemKey.of("STATS#ORDERS", "STATUS#PAID"), counter(100));      // another counter

        assertThat(ShardedCounters.sum(items, "STATS#ORDERS#", 4, "TOTAL", "count")).isEqualTo(4);
        assertThat(ShardedCounters.sum(Map.of(), "STATS#ORDERS#", 4, "TOTAL", "count")).isZero();
    }

    /** A DynamoDB client that answers BatchGetItem from a map, leaving some keys unprocessed the first time it sees them. */
    private static final class FakeDynamo implements DynamoDbClient {
        final Map<ItemKey, Map<String, AttributeValue>> table = new LinkedHashMap<>();
        final List<Integer> requestSizes = new ArrayList<>();
        final List<ItemKey> deferredOnce = new ArrayList<>();

        @Override
        public BatchGetItemResponse batchGetItem(BatchGetItemRequest request) {
            KeysAndAttributes asked = request.requestItems().get("read-model");
            assertThat(asked.consistentRead()).isTrue();
            requestSizes.add(asked.keys().size());
            List<Map<String, AttributeValue>> found = new ArrayList<>();
            List<Map<String, AttributeValue>> unprocessed = new ArrayList<>();
            for (Map<String, AttributeValue> key : asked.keys()) {
                ItemKey k = ItemKey.of(key.get("PK").s(), key.get("SK").s());
                if (k.pk().endsWith("7") && !deferredOnce.contains(k)) {
                    deferredOnce.add(k);
                    unprocessed.add(key);
                } else if (table.containsKey(k)) {
                    Map<String, AttributeValue> item = new LinkedHashMap<>(k.toAttributes());
                    item.putAll(table.get(k));
                    found.add(item);
                }
            }
            BatchGetItemResponse.Builder response = BatchGetItemResponse.builder().responses(Map.of("read-model", found));
            if (!unprocessed.isEmpty()) {
                response.unprocessedKeys(Map.of("read-model", asked.toBuilder().keys(unprocessed).build()));
            }
            return response.build();
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void totalReadsTheShardsInBatchesOf100AndRetriesUnprocessedKeys() {
        FakeDynamo dynamo = new FakeDynamo();
        long expected = 0;
        for (int shard = 0; shard < 250; shard++) {
            if (shard % 4 != 1) {
                dynamo.table.put(ItemKey.of("STATS#ORDERS#" + shard, "TOTAL"), Map.of("count", AttributeValues.of(shard)));
                expected += shard;
            }
        }
        dynamo.table.put(ItemKey.of("STATS#ORDERS#250", "TOTAL"), Map.of("count", AttributeValues.of(1_000_000)));

        long total = ShardedCounters.total(dynamo, "read-model", "STATS#ORDERS#", 250, "TOTAL", "count");

        assertThat(total).isEqualTo(expected);
        assertThat(dynamo.deferredOnce).isNotEmpty();
        // three batches (100, 100, 50), each followed by one retry of its deferred keys
        assertThat(dynamo.requestSizes).hasSize(6);
        assertThat(dynamo.requestSizes.get(0)).isEqualTo(100);
        assertThat(dynamo.requestSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(250 + dynamo.deferredOnce.size());
    }
}
