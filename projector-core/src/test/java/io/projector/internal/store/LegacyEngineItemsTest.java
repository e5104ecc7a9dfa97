package io.projector.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.internal.plan.EngineKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** The start check: which old-shape items stop a worker, and which are not its own to worry about. */
class LegacyEngineItemsTest {

    private static final String APP = "orders-app";
    private static final EngineKeys KEYS = EngineKeys.of(APP);

    /** A read-model table by partition; optionally denying every partition outside the application's own, as its role would. */
    private static final class Table implements DynamoDbClient {
        final Map<String, List<Map<String, AttributeValue>>> partitions = new HashMap<>();
        String deny;

        void put(String pk, String sk, Map<String, AttributeValue> attributes) {
            Map<String, AttributeValue> item = new HashMap<>(attributes);
            item.put("PK", AttributeValue.fromS(pk));
            item.put("SK", AttributeValue.fromS(sk));
            partitions.computeIfAbsent(pk, k -> new ArrayList<>()).add(item);
        }

        @Override
        public QueryResponse query(QueryRequest request) {
            String pk = request.expressionAttributeValues().get(":pk").s();
            if (deny != null && !pk.startsWith(KEYS.prefix())) {
                throw (DynamoDbException) DynamoDbException.builder().statusCode(400).message("denied")
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode(deny).errorMessage("denied").build()).build();
            }
            List<Map<String, AttributeValue>> items = partitions.getOrDefault(pk, List.of());
            return QueryResponse.builder().items(items).count(items.size()).build();
        }

        @Override
        public BatchGetItemResponse batchGetItem(BatchGetItemRequest request) {
            return BatchGetItemResponse.builder().responses(Map.of()).build();
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {
        }
    }

    private final Table table = new Table();

    private String problem() {
        LegacyEngineItems old = new LegacyEngineItems(table, "rm", APP, () -> Set.of("shard-ours"));
        return old.startProblem(List.of("copy"), new WatermarkStore(table, "rm", KEYS), new BackfillStore(table, "rm", KEYS), "src", "rm");
    }

    private static Map<String, AttributeValue> seq(long n) {
        return Map.of("seq", AttributeValue.fromS(String.format("%010d", n)), "sequenceNumber", AttributeValue.fromS(Long.toString(n)));
    }

    @Test
    void anOldWatermarkOnTheApplicationsShardStopsTheWorkerInOneLineNamingTheCommand() {
        table.put("PROJECTOR#WATERMARK#copy", "SHARD#shard-ours", seq(42));
        assertThat(problem()).isEqualTo("read-model table 'rm' holds engine items of application 'orders-app' under the keys from "
                + "before they named the application (PROJECTOR#WATERMARK#…, PROJECTOR#DLQ: watermark of copy on shard-ours), which it no "
                + "longer reads: started now it would apply changes a second time. Stop every worker of 'orders-app', then run: projector "
                + "migrate-keys --source-table src --read-model-table rm --application-name orders-app --projections copy");
    }

    @Test
    void anotherApplicationsOldWatermarkDoesNot() {
        table.put("PROJECTOR#WATERMARK#copy", "SHARD#shard-of-another-stream", seq(42));
        table.put("PROJECTOR#DLQ", "copy#shard-of-another-stream#0007", Map.of("projection", AttributeValue.fromS("copy"),
                "shardId", AttributeValue.fromS("shard-of-another-stream")));
        assertThat(problem()).isNull();
    }

    @Test
    void aMovedWatermarkEndsTheCheckUnlessTheOldOneIsFurther() {
        table.put("PROJECTOR#WATERMARK#copy", "SHARD#shard-ours", seq(42));
        table.put(KEYS.watermarkPartition("copy"), "SHARD#shard-ours", seq(42));
        assertThat(problem()).isNull();
        table.partitions.get(KEYS.watermarkPartition("copy")).set(0, new HashMap<>(Map.of("PK", AttributeValue.fromS(KEYS.watermarkPartition("copy")),
                "SK", AttributeValue.fromS("SHARD#shard-ours"), "seq", AttributeValue.fromS(String.format("%010d", 41)))));
        assertThat(problem()).as("an old worker still ran after the move").contains("watermark of copy on shard-ours");
    }

    @Test
    void anOldLetterOfTheApplicationStopsTheWorker() {
        table.put("PROJECTOR#DLQ", "copy#shard-ours#0007", Map.of("projection", AttributeValue.fromS("copy"),
                "shardId", AttributeValue.fromS("shard-ours")));
        assertThat(problem()).contains("(PROJECTOR#WATERMARK#…, PROJECTOR#DLQ: 1 dead letters)");
    }

    @Test
    void aRoleThatCannotReadTheOldKeysStartsWithAWarningAndOtherErrorsStillFail() {
        table.put("PROJECTOR#WATERMARK#copy", "SHARD#shard-ours", seq(42));
        table.deny = "AccessDeniedException";
        assertThat(problem()).isNull();
        table.deny = "ProvisionedThroughputExceededException";
        assertThatThrownBy(this::problem).isInstanceOf(DynamoDbException.class);
    }
}
