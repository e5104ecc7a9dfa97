package io.projector.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.internal.commit.TransientErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/** Unprocessed keys are asked again after a growing pause, and not forever. */
class ConsistentBatchGetTest {

    private static final Map<String, AttributeValue> KEY = Map.of("PK", AttributeValue.fromS("a"), "SK", AttributeValue.fromS("b"));

    /** A table short of read capacity: leaves every key unprocessed the first {@code refusals} times. */
    private static final class ShortOfCapacity implements DynamoDbClient {
        private int refusals;
        int calls;

        ShortOfCapacity(int refusals) {
            this.refusals = refusals;
        }

        @Override
        public BatchGetItemResponse batchGetItem(BatchGetItemRequest request) {
            calls++;
            KeysAndAttributes asked = request.requestItems().get("t");
            if (refusals-- > 0) {
                return BatchGetItemResponse.builder().responses(Map.of()).unprocessedKeys(Map.of("t", asked)).build();
            }
            return BatchGetItemResponse.builder().responses(Map.of("t", asked.keys())).build();
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
    void unprocessedKeysAreAskedAgainOnlyAfterAGrowingPause() {
        ShortOfCapacity table = new ShortOfCapacity(4);
        List<Long> pauses = new ArrayList<>();
        List<Map<String, AttributeValue>> items = ConsistentBatchGet.items(table, "t", List.of(KEY), pauses::add);
        assertThat(items).containsExactly(KEY);
        assertThat(table.calls).isEqualTo(5);
        assertThat(pauses).hasSize(4);
        // Full jitter under ceilings of 50, 100, 200, 400 ms.
        for (int i = 0; i < pauses.size(); i++) {
            assertThat(pauses.get(i)).isBetween(0L, 50L << i);
        }
    }

    @Test
    void aTableThatKeepsRefusingFailsAsThrottledForTheCallersRetry() {
        ShortOfCapacity table = new ShortOfCapacity(Integer.MAX_VALUE);
        assertThatThrownBy(() -> ConsistentBatchGet.items(table, "t", List.of(KEY), millis -> { }))
                .satisfies(e -> assertThat(TransientErrors.isTransient(e)).isTrue())
                .hasMessageContaining("still unprocessed after " + ConsistentBatchGet.MAX_ATTEMPTS);
        assertThat(table.calls).isEqualTo(ConsistentBatchGet.MAX_ATTEMPTS);
    }
}
