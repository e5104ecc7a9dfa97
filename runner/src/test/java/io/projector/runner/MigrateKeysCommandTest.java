package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ops.Tables;
import io.projector.internal.plan.EngineKeys;
import io.projector.local.LocalDynamoDb;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code projector migrate-keys} on an in-memory DynamoDB Local, without a worker: it moves the
 * watermark of a shard in the application's lease table, leaves the one of a shard it cannot tell
 * is the application's, says so, and writes nothing on a dry run.
 */
class MigrateKeysCommandTest {

    private static final String OLD_PARTITION = "PROJECTOR#WATERMARK#order-counters";
    private static LocalDynamoDb local;
    private static DynamoDbClient dynamo;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void startDynamo() {
        local = LocalDynamoDb.inMemory();
        dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(LocalDynamoDb.CREDENTIALS).build();
        Tables.createSourceTable(dynamo, "mk-src");
        Tables.createReadModelTable(dynamo, "mk-rm");
        Tables.createLeaseTable(dynamo, "mk-app");
        // The application has read this shard: its lease says so.
        dynamo.putItem(b -> b.tableName("mk-app").item(Map.of("leaseKey", AttributeValue.fromS("shardId-ours"),
                "checkpoint", AttributeValue.fromS("4711"))));
        for (String shard : List.of("shardId-ours", "shardId-unknown")) {
            dynamo.putItem(b -> b.tableName("mk-rm").item(Map.of("PK", AttributeValue.fromS(OLD_PARTITION),
                    "SK", AttributeValue.fromS("SHARD#" + shard), "seq", AttributeValue.fromS("0004711"),
                    "sequenceNumber", AttributeValue.fromS("4711"))));
        }
    }

    @AfterAll
    static void stopDynamo() {
        dynamo.close();
        local.close();
    }

    @Test
    void movesWhatIsTheApplicationsAndReportsWhatItLeaves() {
        assertThat(migrate("--dry-run")).as(err::toString).isZero();
        assertThat(out.toString()).contains("would move engine items of application mk-app for [order-counters] in mk-rm")
                .containsPattern("watermarks +1")
                .contains("would leave under the old keys:")
                .contains("1 watermarks under " + OLD_PARTITION + " on shards neither in the stream of 'mk-src' nor in the lease "
                        + "table of 'mk-app' (e.g. SHARD#shardId-unknown)");
        assertThat(sortKeys(OLD_PARTITION)).as("a dry run writes nothing").hasSize(2);

        assertThat(migrate()).as(err::toString).isZero();
        assertThat(out.toString()).contains("moved engine items of application mk-app").containsPattern("watermarks +1");
        String moved = EngineKeys.of("mk-app").watermarkPartition("order-counters");
        assertThat(sortKeys(moved)).containsExactly("SHARD#shardId-ours");
        assertThat(sortKeys(OLD_PARTITION)).containsExactly("SHARD#shardId-unknown");

        assertThat(migrate()).isZero();
        assertThat(out.toString()).containsPattern("total +0");
    }

    @Test
    void anApplicationNameThatCannotStandInAKeyIsRefusedInOneLine() {
        assertThat(run("migrate-keys", "--endpoint", local.endpoint().toString(), "--source-table", "mk-src", "--read-model-table", "mk-rm",
                "--application-name", "mk#app")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("projector: --application-name 'mk#app' may only hold 3 to 255 of a-z A-Z 0-9 _ . - "
                + "(it names the lease table and the engine's keys PROJECTOR#<application>#…)" + System.lineSeparator());
    }

    private int migrate(String... more) {
        List<String> args = new ArrayList<>(List.of("migrate-keys", "--endpoint", local.endpoint().toString(), "--source-table", "mk-src",
                "--read-model-table", "mk-rm", "--application-name", "mk-app", "--projections", "order-counters"));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    private List<String> sortKeys(String pk) {
        return dynamo.query(b -> b.tableName("mk-rm").consistentRead(true).keyConditionExpression("PK = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)))).items().stream().map(i -> i.get("SK").s()).toList();
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }
}
