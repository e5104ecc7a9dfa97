package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.Projection;
import io.projector.SequenceNumber;
import io.projector.ops.Tables;
import io.projector.Write;
import io.projector.internal.plan.Chunk;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.store.DeadLetterStore;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.plan.TransactionLimits;
import io.projector.internal.store.WatermarkStore;
import io.projector.local.LocalDynamoDb;
import io.projector.projections.OrderCountersProjection;
import io.projector.testkit.ProjectionTestKit;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code projector dlq} on an in-memory DynamoDB Local: changes of the built-in order-counters
 * projection are parked through the engine's own planner and committer, then listed, shown,
 * re-driven and purged through the command line.
 */
class DlqCommandTest {

    private static final AtomicInteger TABLES = new AtomicInteger();
    private static final String SHARD = "shardId-00000001";

    private static LocalDynamoDb local;
    private static DynamoDbClient dynamo;

    private static final String APPLICATION = "dlq-app";
    private final String table = "dlq-rm-" + TABLES.incrementAndGet();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private long seq = 7_000_000_000_000L;

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
    void listShowRedriveAndPurgeAChangeThatCannotBeProjected() {
        Tables.createReadModelTable(dynamo, table);
        ChangeEvent noStatus = order("ORDER#1", null);
        park(new OrderCountersProjection(), noStatus);
        String key = "order-counters#" + SHARD + "#" + noStatus.sequenceNumber().sortable();

        assertThat(dlq("list")).as(err::toString).isZero();
        assertThat(out.toString())
                .contains(key)
                .contains("order-counters")
                .contains("INSERT Order seq " + noStatus.sequenceNumber())
                .contains("PK=ORDER#1|SK=ORDER")
                .contains("attribute 'status'").contains("is missing")
                .contains("1 parked");
        assertThat(dlq("list", "--projection", "order-history")).isZero();
        assertThat(out.toString()).contains("0 parked").doesNotContain(key);

        assertThat(dlq("show", key)).as(err::toString).isZero();
        assertThat(out.toString())
                .contains("key:         " + key)
                .contains("projection:  order-counters")
                .contains("shard:       " + SHARD)
                .contains("item:        PK=ORDER#1|SK=ORDER")
                .containsPattern("reason: +ItemAttributeException: attribute 'status' of .* is missing")
                .contains("attempts:    1")
                .contains("change:      INSERT of Order, sequence number " + noStatus.sequenceNumber())
                .contains("stream record (for ProjectionTestKit.applyJson):")
                .contains("\"NewImage\": ").contains("customerId").contains("c1")
                .doesNotContain("\"OldImage\"").doesNotContain("AttributeValue(");
        // The record pasted into the test kit fails there as it failed in the worker: the failure is a test now.
        String json = out.toString().substring(out.toString().indexOf("{\"eventName\""));
        assertThatThrownBy(() -> ProjectionTestKit.of(new OrderCountersProjection()).applyJson(json))
                .hasMessageContaining("attribute 'status'").hasMessageContaining("is missing");
        assertThat(ProjectionTestKit.of(new OrderCountersProjection()).parkingFailures().applyJson(json).parked()).hasSize(1);

        // Another application's letters in the same table are not this one's to see, re-drive or purge.
        assertThat(run("dlq", "list", "--endpoint", local.endpoint().toString(), "--read-model-table", table,
                "--application-name", "other-app")).as(err::toString).isZero();
        assertThat(out.toString()).contains("0 parked").doesNotContain(key);
        assertThat(run("dlq", "list", "--endpoint", local.endpoint().toString(), "--read-model-table", table)).isEqualTo(2);
        assertThat(err.toString()).startsWith("projector: --application-name is required");

        assertThat(dlq("show", "order-counters#nope")).isEqualTo(2);
        assertThat(err.toString()).contains("no parked change with key 'order-counters#nope'");

        // Without --yes nothing is deleted.
        assertThat(dlq("purge")).isEqualTo(2);
        assertThat(err.toString()).contains("add --yes to confirm");
        assertThat(err.toString().strip().lines()).hasSize(1);
        assertThat(dlq("purge", "--key", key)).isEqualTo(2);
        assertThat(err.toString()).contains("add --yes to confirm");
        assertThat(dlq("list")).isZero();
        assertThat(out.toString()).contains("1 parked");

        // The projection still cannot project it: the re-drive says so, exits 1 and counts the attempt.
        assertThat(dlq("redrive")).as(err::toString).isEqualTo(1);
        assertThat(out.toString()).contains("re-driven 0, failed again 1, still waiting behind those 0, not re-drivable 0");
        assertThat(dlq("show", key)).isZero();
        assertThat(out.toString()).contains("attempts:    2").contains("error type:  RedriveFailed").contains("attribute 'status'");
        assertThat(counter("STATS#ORDERS", "STATUS#PAID")).isEmpty();

        assertThat(dlq("purge", "--yes", "--key", key)).as(err::toString).isZero();
        assertThat(out.toString()).contains("purged 1");
        assertThat(dlq("purge", "--yes", "--key", key)).isZero();
        assertThat(out.toString()).contains("no parked change with key '" + key + "'");
        assertThat(dlq("list")).isZero();
        assertThat(out.toString()).contains("0 parked");
    }

    @Test
    void aRedriveAfterTheFixAppliesTheChangeAndEmptiesTheStore() {
        Tables.createReadModelTable(dynamo, table);
        // A broken build of order-counters parked a good change; the runner has the fixed one.
        ChangeEvent paid = order("ORDER#2", "PAID");
        park(new Broken("order-counters"), paid);
        assertThat(dlq("list")).isZero();
        assertThat(out.toString()).contains("IllegalStateException: deployed with a bug").contains("1 parked");

        assertThat(dlq("redrive", "--projection", "order-counters")).as(err::toString).isZero();
        assertThat(out.toString()).contains("re-driven 1, failed again 0");
        assertThat(counter("STATS#ORDERS", "STATUS#PAID")).contains(1L);
        assertThat(dynamo.getItem(b -> b.tableName(table).consistentRead(true).key(Map.of(
                "PK", AttributeValue.fromS("CUSTOMER#c1"), "SK", AttributeValue.fromS("TOTALS")))).item())
                .containsEntry("orderCount", AttributeValue.fromN("1")).containsEntry("totalSpent", AttributeValue.fromN("30"));
        assertThat(dlq("list")).isZero();
        assertThat(out.toString()).contains("0 parked");

        // Run again: nothing left, nothing applied twice.
        assertThat(dlq("redrive")).isZero();
        assertThat(out.toString()).contains("re-driven 0, failed again 0");
        assertThat(counter("STATS#ORDERS", "STATUS#PAID")).contains(1L);
    }

    @Test
    void aRedriveWithoutThePluginThatOwnsALetterNamesItAndExitsNonZero() {
        Tables.createReadModelTable(dynamo, table);
        // A plugin projection parked a change; this dlq runs without --plugins, so with the built-ins only.
        park(new Broken("tally"), order("ORDER#3", "PAID"));

        assertThat(dlq("redrive")).as(err::toString).isEqualTo(1);
        assertThat(out.toString()).contains("re-driven 0, failed again 0, still waiting behind those 0, not re-drivable 0")
                .contains("left parked, their projections are not loaded here: tally (1); add the plugin jars that hold them "
                        + "with --plugins DIR (or PROJECTOR_PLUGINS) and re-drive again");
        assertThat(dlq("list")).isZero();
        assertThat(out.toString()).contains("1 parked");
    }

    @Test
    void purgeWithYesRemovesAllOrOneProjectionsDeadLetters() {
        Tables.createReadModelTable(dynamo, table);
        park(new OrderCountersProjection(), order("ORDER#3", null));
        park(new OrderCountersProjection(), order("ORDER#4", null));

        assertThat(dlq("purge", "--yes", "--projection", "order-history")).isZero();
        assertThat(out.toString()).contains("purged 0");
        assertThat(dlq("list")).isZero();
        assertThat(out.toString()).contains("2 parked");

        assertThat(dlq("purge", "--yes")).as(err::toString).isZero();
        assertThat(out.toString()).contains("purged 2");
        assertThat(dlq("list")).isZero();
        assertThat(out.toString()).contains("0 parked");
    }

    @Test
    void theReadModelTableIsRequired() {
        assumeTrue(System.getenv("PROJECTOR_READ_MODEL_TABLE") == null, "PROJECTOR_READ_MODEL_TABLE is set");
        assertThat(run("dlq", "list", "--endpoint", local.endpoint().toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("projector: --read-model-table is required (or PROJECTOR_READ_MODEL_TABLE)" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aMissingReadModelTableIsNamed() {
        assertThat(run("dlq", "list", "--endpoint", local.endpoint().toString(), "--read-model-table", "nosuch-read-model")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("projector: read-model table 'nosuch-read-model' does not exist" + System.lineSeparator());
        assertThat(run("dlq", "redrive", "--endpoint", local.endpoint().toString(), "--read-model-table", "nosuch-read-model")).isEqualTo(2);
        assertThat(err.toString()).contains("read-model table 'nosuch-read-model' does not exist");
    }

    // ---

    private int dlq(String... args) {
        String[] all = new String[args.length + 7];
        all[0] = "dlq";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--endpoint";
        all[args.length + 2] = local.endpoint().toString();
        all[args.length + 3] = "--read-model-table";
        all[args.length + 4] = table;
        all[args.length + 5] = "--application-name";
        all[args.length + 6] = APPLICATION;
        return run(all);
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    /** Plans and commits one change as the worker does, so a change the projection cannot project lands in the store. */
    private void park(Projection projection, ChangeEvent event) {
        ChunkPlanner planner = new ChunkPlanner(List.of(projection), TransactionLimits.DYNAMODB);
        ChunkCommitter committer = new ChunkCommitter(dynamo, table, new WatermarkStore(dynamo, table, EngineKeys.of(APPLICATION)),
                new DeadLetterStore(dynamo, table, EngineKeys.of(APPLICATION)), Clock.systemUTC());
        List<Chunk> chunks = planner.plan(List.of(event), Map.of());
        assertThat(chunks).singleElement().satisfies(c -> assertThat(c.parked()).hasSize(1));
        assertThat(committer.commit(SHARD, chunks.get(0))).isEqualTo(ChunkCommitter.Outcome.COMMITTED);
    }

    /** An INSERT of an Order, without {@code status} when it is null. */
    private ChangeEvent order(String pk, String status) {
        Map<String, AttributeValue> image = new HashMap<>(Map.of(
                "PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS("ORDER"), "type", AttributeValue.fromS("Order"),
                "customerId", AttributeValue.fromS("c1"), "orderDate", AttributeValue.fromS("2024-05-01"),
                "total", AttributeValue.fromN("30")));
        if (status != null) {
            image.put("status", AttributeValue.fromS(status));
        }
        Item keys = Item.of(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS("ORDER")), "keys of " + pk);
        seq += 100;
        return new ChangeEvent(ChangeType.INSERT, keys, Optional.empty(), Optional.of(Item.of(image, "new image of " + pk)),
                "Order", SequenceNumber.of(seq), Instant.now());
    }

    private Optional<Long> counter(String pk, String sk) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sk)))).item();
        return item.containsKey("count") ? Optional.of(Long.parseLong(item.get("count").n())) : Optional.empty();
    }

    /** order-counters as a bad deploy had it: it throws on every change. */
    /** A projection of that name, on Orders, deployed with a bug (order-counters: a built-in's; tally: a plugin's). */
    private record Broken(String name) implements Projection {

        @Override
        public Set<String> entityTypes() {
            return Set.of("Order");
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            throw new IllegalStateException("deployed with a bug");
        }
    }
}
