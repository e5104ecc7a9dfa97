package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.Projector;
import io.projector.ProjectorConfig;
import io.projector.Tables;
import io.projector.local.LocalDynamoDb;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class EndToEndIT {

    static LocalDynamoDb local;
    static DynamoDbClient dynamo;

    @BeforeAll
    static void start() {
        local = LocalDynamoDb.inMemory();
        dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(LocalDynamoDb.CREDENTIALS).build();
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        local.close();
    }

    @Test
    void insertsUpdatesAndDeletesReachTheReadModel() {
        Tables.createSourceTable(dynamo, "src1");
        Tables.createReadModelTable(dynamo, "rm1");
        Tables.createLeaseTable(dynamo, "app1");
        ProjectorConfig config = ProjectorConfig.builder().sourceTable("src1").readModelTable("rm1").applicationName("app1")
                .endpoint(local.endpoint()).credentials(LocalDynamoDb.CREDENTIALS).fastLocalTuning().build();
        try (Projector projector = Projector.start(config, List.of(new CopyProjection()))) {
            put("A", "1", "g", "x", 5);
            put("A", "2", "g", "y", 7);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(get("rm1", "GROUP#g", "SUM")).containsEntry("count", AttributeValue.fromN("2")));
            put("A", "1", "g", "x2", 10);
            dynamo.deleteItem(b -> b.tableName("src1").key(Map.of("PK", AttributeValue.fromS("A"), "SK", AttributeValue.fromS("2"))));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(get("rm1", "GROUP#g", "SUM")).containsEntry("count", AttributeValue.fromN("1")).containsEntry("amount", AttributeValue.fromN("10"));
                assertThat(get("rm1", "COPY#A#1", "COPY")).containsEntry("value", AttributeValue.fromS("x2"));
                assertThat(get("rm1", "COPY#A#2", "COPY")).isEmpty();
            });
            System.out.println(projector.stats());
        }
    }

    static void put(String pk, String sk, String group, String value, int amount) {
        dynamo.putItem(b -> b.tableName("src1").item(Map.of(
                "PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sk), "type", AttributeValue.fromS("Thing"),
                "group", AttributeValue.fromS(group), "value", AttributeValue.fromS(value), "amount", AttributeValue.fromN(Integer.toString(amount)))));
    }

    static Map<String, AttributeValue> get(String table, String pk, String sk) {
        return dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sk)))).item();
    }
}
