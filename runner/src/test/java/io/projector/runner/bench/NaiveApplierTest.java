package io.projector.runner.bench;

import io.projector.runner.Main;
import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.Projection;
import io.projector.SequenceNumber;
import io.projector.ops.Tables;
import io.projector.Write;
import io.projector.local.LocalDynamoDb;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** The naive baseline sends each intended write as its own request, with DynamoDB's semantics, on an in-memory DynamoDB Local. */
class NaiveApplierTest {

    private static final String TABLE = "naive-read-model";
    private static LocalDynamoDb local;
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void start() {
        local = LocalDynamoDb.inMemory();
        dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(LocalDynamoDb.CREDENTIALS).build();
        Tables.createReadModelTable(dynamo, TABLE);
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        local.close();
    }

    /** Emits the writes it is given for any change of type Thing. */
    private record Scripted(List<Write> writes) implements Projection {
        public String name() {
            return "scripted";
        }

        public Set<String> entityTypes() {
            return Set.of("Thing");
        }

        public List<Write> project(ChangeEvent event) {
            return writes;
        }
    }

    @Test
    void eachWriteIsOneRequestWithTheEnginesSemantics() {
        dynamo.putItem(b -> b.tableName(TABLE).item(Map.of("PK", AttributeValue.fromS("T#3"), "SK", AttributeValue.fromS("X"),
                "keep", AttributeValue.fromS("k"), "drop", AttributeValue.fromS("d"))));
        dynamo.putItem(b -> b.tableName(TABLE).item(Map.of("PK", AttributeValue.fromS("T#4"), "SK", AttributeValue.fromS("X"))));
        NaiveApplier naive = new NaiveApplier(dynamo, TABLE, List.of(new Scripted(List.of(
                Write.put("T#1", "X").with("name", "one"),
                Write.increment("T#2", "X", "count", 2).and("total", 5),
                Write.increment("T#2", "X", "count", 1),
                Write.set("T#3", "X").with("title", "t").without("drop"),
                Write.delete("T#4", "X")))));

        naive.apply(event("Thing"));
        naive.apply(event("Other"));   // no projection wants it: no request

        assertThat(item("T#1")).containsEntry("name", AttributeValue.fromS("one"));
        assertThat(item("T#2")).containsEntry("count", AttributeValue.fromN("3")).containsEntry("total", AttributeValue.fromN("5"));
        assertThat(item("T#3")).containsEntry("title", AttributeValue.fromS("t")).containsEntry("keep", AttributeValue.fromS("k"))
                .doesNotContainKey("drop");
        assertThat(item("T#4")).isEmpty();
        assertThat(naive.records()).isEqualTo(2);
        assertThat(naive.requests()).isEqualTo(5);
        assertThat(naive.estimatedUnits()).isEqualTo(5);
        assertThat(naive.reportedUnits()).isPositive();
    }

    @Test
    void translatesIncrementToAddAndSetToSetAndRemove() {
        UpdateItemRequest add = NaiveApplier.update(TABLE, Write.increment("P", "S", "n", 1));
        assertThat(add.updateExpression()).isEqualTo("ADD #a0 :v0");
        assertThat(add.expressionAttributeNames()).containsEntry("#a0", "n");
        UpdateItemRequest set = NaiveApplier.update(TABLE, Write.set("P", "S").with("a", "x").without("b"));
        assertThat(set.updateExpression()).isEqualTo("SET #a0 = :v0 REMOVE #a1");
        assertThat(set.returnConsumedCapacityAsString()).isEqualTo("TOTAL");
    }

    private static Map<String, AttributeValue> item(String pk) {
        return dynamo.getItem(b -> b.tableName(TABLE).consistentRead(true)
                .key(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS("X")))).item();
    }

    private static ChangeEvent event(String type) {
        Item image = Item.of(Map.of("PK", AttributeValue.fromS("SRC#1"), "SK", AttributeValue.fromS("A"),
                "type", AttributeValue.fromS(type)), "test item");
        Item keys = Item.of(Map.of("PK", AttributeValue.fromS("SRC#1"), "SK", AttributeValue.fromS("A")), "keys");
        return new ChangeEvent(ChangeType.INSERT, keys, Optional.empty(), Optional.of(image), type, SequenceNumber.parse("100"),
                Instant.EPOCH, "");
    }
}
