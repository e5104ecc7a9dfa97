package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ops.ReadModelPointer;
import io.projector.ops.Tables;
import io.projector.local.LocalDynamoDb;
import io.projector.projections.OrderCountersProjection;
import io.projector.ops.ReadModelVerifier;
import io.projector.ops.VerificationResult;
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
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * {@code backfill}, {@code status}, {@code replay} and {@code rebuild} through the command line,
 * against a DynamoDB endpoint given by flags (DynamoDB Local on 127.0.0.1), with the built-in
 * order-counters projection over orders written before the source table had a stream.
 */
class ReadModelCommandsIT {

    private static final int ORDERS = 120;
    private static LocalDynamoDb local;
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void startDynamo() {
        local = LocalDynamoDb.inMemory();
        dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(LocalDynamoDb.CREDENTIALS).build();
    }

    @AfterAll
    static void stopDynamo() {
        dynamo.close();
        local.close();
    }

    @Test
    void backfillStatusReplayAndRebuildWorkFromTheCommandLine() {
        Tables.createSourceTable(dynamo, "cmd-src");
        dynamo.updateTable(b -> b.tableName("cmd-src").streamSpecification(StreamSpecification.builder().streamEnabled(false).build()));
        SourceTableWriter writer = new SourceTableWriter(dynamo, "cmd-src");
        for (int i = 0; i < ORDERS; i++) {
            writer.put(SourceTableWriter.item("ORDER#o" + i, "ORDER", "Order", "customerId", "c" + i % 7, "status", "PENDING",
                    "total", 10 + i % 13));
        }
        dynamo.updateTable(b -> b.tableName("cmd-src").streamSpecification(StreamSpecification.builder()
                .streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES).build()));
        Tables.createReadModelTable(dynamo, "cmd-rm");
        Tables.createLeaseTable(dynamo, "cmd-app");

        Result backfill = cli("backfill", "--run-worker", "--segments", "2", "--page-size", "20", "--compare-raw-scan");
        assertThat(backfill.code).as(backfill.text()).isZero();
        assertThat(backfill.out).contains("backfill of [order-counters] complete: " + ORDERS + " items scanned")
                .contains("raw parallel Scan of cmd-src (2 segments");
        assertMatchesSource("cmd-rm");

        Result status = cli("status");
        assertThat(status.code).as(status.text()).isZero();
        // "live" alone once the worker has found the hand-off over (a read at the tip after the scan's end plus the margin).
        assertThat(status.out).containsPattern("order-counters: live( \\(hand-off\\))?, 0 dead letters waiting; backfill complete: "
                + ORDERS + " items scanned, " + ORDERS + " \\(projection, item\\) pairs applied");

        for (int i = 0; i < 10; i++) {
            writer.setAttribute("ORDER#o" + i, "ORDER", "status", AttributeValue.fromS("PAID"));
        }
        Result replay = cli("replay", "--new-table", "cmd-replayed", "--timeout-seconds", "180");
        assertThat(replay.code).as(replay.text()).isZero();
        assertThat(replay.out).contains("caught up in").contains("10 stream records");
        assertThat(count("cmd-replayed", "STATUS#PAID")).as("the ten status changes the stream holds").isEqualTo(10);

        Result rebuild = cli("rebuild", "--alias", "cmd-view", "--new-table", "cmd-rm-v2", "--pointer-table", "cmd-pointers",
                "--segments", "2", "--exit-after-cut-over", "--timeout-seconds", "180");
        assertThat(rebuild.code).as(rebuild.text()).isZero();
        assertThat(rebuild.out).contains("'cmd-rm-v2' has caught up with the stream").contains("cut over: alias 'cmd-view' now points at 'cmd-rm-v2'");
        assertThat(new ReadModelPointer(dynamo, "cmd-pointers").resolve("cmd-view")).isEqualTo("cmd-rm-v2");
        assertMatchesSource("cmd-rm-v2");

        Result cancel = cli("rebuild", "--cancel", "--alias", "cmd-view", "--new-table", "cmd-rm-v2", "--pointer-table", "cmd-pointers");
        assertThat(cancel.code).isEqualTo(2);
        assertThat(cancel.err).contains("alias 'cmd-view' points at 'cmd-rm-v2': readers use it, so it is not deleted");
        assertThat(Tables.exists(dynamo, "cmd-rm-v2")).isTrue();

        Result wrong = cli("backfill", "--segments", "0");
        assertThat(wrong.code).isEqualTo(2);
        assertThat(wrong.err).contains("backfill segments must be between 1 and 1000, was 0");
    }

    private static void assertMatchesSource(String table) {
        VerificationResult r = new ReadModelVerifier(dynamo, List.of(new OrderCountersProjection()), "type").verify("cmd-src", table);
        assertThat(r.matches()).as(r.summary(10)).isTrue();
    }

    private static long count(String table, String sk) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("PK", AttributeValue.fromS("STATS#ORDERS"), "SK", AttributeValue.fromS(sk)))).item();
        return item.containsKey("count") ? Long.parseLong(item.get("count").n()) : 0;
    }

    private record Result(int code, String out, String err) {
        String text() {
            return out + err;
        }
    }

    private static Result cli(String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "--endpoint", local.endpoint().toString(), "--source-table", "cmd-src",
                "--read-model-table", "cmd-rm", "--application-name", "cmd-app", "--projections", "order-counters"));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }
}
