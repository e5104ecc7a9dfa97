package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.SequenceNumber;
import io.projector.ops.Tables;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.store.ShardStatusStore;
import io.projector.internal.store.WatermarkStore;
import io.projector.local.LocalDynamoDb;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code status} shows what the application's workers ran on the table, plugin projections too
 * (whose jars the reader need not load), and does not call a built-in that never ran there "live".
 */
class StatusProjectionsTest {

    private static final String APPLICATION = "status-app";
    private static final String SHARD = "shardId-00000001";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int status(String endpoint, String... more) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        List<String> args = new java.util.ArrayList<>(List.of("status", "--endpoint", endpoint, "--read-model-table", "status-rm",
                "--application-name", APPLICATION));
        args.addAll(List.of(more));
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    }

    @Test
    void pluginProjectionsAreListedAndNeverRunOnesAreNotLive() {
        try (LocalDynamoDb local = LocalDynamoDb.inMemory();
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(LocalDynamoDb.CREDENTIALS).build()) {
            Tables.createReadModelTable(dynamo, "status-rm");
            String endpoint = local.endpoint().toString();
            // Nothing of it in the table: not "live".
            assertThat(status(endpoint, "--projections", "order-counters")).as(err::toString).isZero();
            assertThat(out.toString()).contains("order-counters: " + io.projector.ops.ReadModelStatus.NEVER_RAN + ", 0 dead letters waiting")
                    .doesNotContain("live").doesNotContain("no shard processed yet");

            EngineKeys keys = EngineKeys.of(APPLICATION);
            long now = System.currentTimeMillis();
            SequenceNumber at = SequenceNumber.of(4_200);
            // A worker that runs a plugin projection and one built-in, both at the worker's position.
            new ShardStatusStore(dynamo, "status-rm", keys).put(new ShardStatusStore.Report(APPLICATION, SHARD, "worker-1", now, now, now, 0,
                    null, at.value().toString(), List.of("loyalty-points", "order-history"), 0, 0));
            WatermarkStore watermarks = new WatermarkStore(dynamo, "status-rm", keys);
            watermarks.raise("loyalty-points", SHARD, at, now);
            watermarks.raise("order-history", SHARD, at, now);

            assertThat(status(endpoint)).as(err::toString).isZero();
            assertThat(out.toString())
                    .as("the plugin's projection, from the worker's report, though its jar is not loaded here")
                    .contains("loyalty-points: live, 0 dead letters waiting")
                    .contains("order-history: live, 0 dead letters waiting")
                    .doesNotContain("order-counters: live")
                    .containsPattern("never ran here \\(.*\\): .*order-counters");

            // Named, one that never ran while the worker read on without it has missed those changes, as before (exit 3).
            assertThat(status(endpoint, "--projections", "order-counters")).as(err::toString).isEqualTo(3);
            assertThat(out.toString()).contains("order-counters: MISSED CHANGES").doesNotContain("loyalty-points: ");
        }
    }
}
