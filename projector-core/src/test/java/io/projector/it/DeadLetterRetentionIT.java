package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.internal.plan.EngineKeys;
import io.projector.internal.store.DeadLetterStore;
import io.projector.ops.Tables;
import io.projector.worker.DeadLetterPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/** Dead letters expire and keep no more than the policy allows, on DynamoDB Local. */
class DeadLetterRetentionIT {

    private final DynamoDbClient dynamo = TestDynamo.client();
    /** One set of tables for the class: each test writes its own items or tables. */
    private static final TestDynamo.Setup T = TestDynamo.tables("letters");

    @Test
    void createTablesSwitchesTheReadModelsTimeToLiveOn() {
        TestDynamo.Setup t = T;
        assertThat(dynamo.describeTimeToLive(b -> b.tableName(t.readModel())).timeToLiveDescription())
                .satisfies(d -> assertThat(d.timeToLiveStatus()).isIn(TimeToLiveStatus.ENABLED, TimeToLiveStatus.ENABLING))
                .satisfies(d -> assertThat(d.attributeName()).isEqualTo("expiresAt"));
        assertThat(Tables.timeToLiveProblem(dynamo, t.readModel())).isNull();
        Tables.createReadModelTable(dynamo, t.readModel());   // again, on a table that has it: no error
    }

    @Test
    void aTableWithoutTimeToLiveIsReportedInOneLine() {
        TestDynamo.Setup t = T;
        String bare = t.readModel() + "-bare";
        Tables.createSourceTable(dynamo, bare);   // PK/SK, no TTL
        String problem = Tables.timeToLiveProblem(dynamo, bare);
        assertThat(problem).contains(bare).contains("no time to live").contains("expiresAt").contains("--create-tables")
                .doesNotContain("\n");
    }

    @Test
    void aRedactedLetterOfAnUndecodableRecordIsStoredWithItsExpiryAndWithoutTheAttribute() {
        TestDynamo.Setup t = T;
        DeadLetterStore store = new DeadLetterStore(dynamo, t.readModel(), EngineKeys.of(t.application()), new DeadLetterPolicy(Duration.ofDays(3), true, Set.of("ssn")));
        Map<String, AttributeValue> keys = Map.of("PK", AttributeValue.fromS("CUSTOMER#7"), "SK", AttributeValue.fromS("PROFILE"));
        Map<String, AttributeValue> image = Map.of("PK", AttributeValue.fromS("CUSTOMER#7"), "SK", AttributeValue.fromS("PROFILE"),
                "ssn", AttributeValue.fromS("123-45-6789"));
        Record record = Record.builder().eventID("e1").eventName(OperationType.INSERT)
                .dynamodb(StreamRecord.builder().keys(keys).newImage(image).sequenceNumber("700").build()).build();
        long now = System.currentTimeMillis();
        store.parkUndecodable("shardId-1", record, "no entity type; " + "z".repeat(3_000), now);

        Map<String, AttributeValue> stored = dynamo.query(b -> b.tableName(t.readModel()).consistentRead(true)
                .keyConditionExpression("PK = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(EngineKeys.of(t.application()).deadLetterPartition()))))
                .items().get(0);
        assertThat(stored.toString()).doesNotContain("123-45-6789");
        assertThat(stored.get("newImage").m().get("ssn").s()).isEqualTo(DeadLetterPolicy.REDACTED);
        assertThat(Long.parseLong(stored.get("expiresAt").n())).isEqualTo(now / 1000 + Duration.ofDays(3).toSeconds());
        assertThat(stored.get("reason").s()).hasSizeLessThan(600);
        assertThat(store.list(null)).singleElement().satisfies(d -> assertThat(d.sourceKey()).contains("CUSTOMER#7"));
    }
}
