package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.local.LocalDynamoDb;
import io.projector.ops.ReadModelVerifier;
import io.projector.ops.Tables;
import io.projector.runner.demo.DemoWorkload;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The guarded commit's stale owner, for real: the worker holding the shard is frozen with SIGSTOP
 * in the middle of a backlog, past its failover time, while another worker takes the shard and
 * goes on (deletes included); then it is resumed with SIGCONT and sends whatever it was sending
 * before it notices its lease is gone. Every write it sends late is older than what the read model
 * holds and is refused by its guard: the read model ends equal to a recomputation from the source,
 * counters included, and no deleted order comes back.
 */
class PausedHolderIT {

    private static final String APP = "paused-test";
    private static final String READ_MODEL = "orders-read";

    @Test
    void aHolderFrozenPastItsLeaseAndResumedChangesNothingTwice() throws Exception {
        try (LocalDynamoDb local = LocalDynamoDb.inMemory();
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(LocalDynamoDb.CREDENTIALS).build()) {
            Tables.createSourceTable(dynamo, "orders");
            ReadModelVerifier verifier = new ReadModelVerifier(dynamo, ProjectionCatalog.builtIn().select(null), "type");
            new DemoWorkload(dynamo, "orders", "a-", 3).run(100, 1500);

            WorkerProcess first = WorkerProcess.start("paused-1", args(local, "paused-w1"));
            WorkerProcess second = null;
            try (LeaseObserver observer = new LeaseObserver(dynamo, APP, READ_MODEL, List.of("order-counters"), e -> { }).start()) {
                // A shard behind folds five batches into one window: the first worker is sending one once items appear.
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                        .until(() -> "paused-w1".equals(observer.holder()) || !first.isAlive());
                assertThat(first.isAlive()).as(first::log).isTrue();
                second = WorkerProcess.start("paused-2", args(local, "paused-w2"));
                WorkerProcess other = second;
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                        .until(() -> other.log().contains("health, readiness and metrics on") || !other.isAlive());
                assertThat("paused-w1".equals(observer.holder())).as("the first worker holds the shard").isTrue();
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> projected(dynamo) > 0 || !first.isAlive());

                first.pause();
                assertThat(verifier.verify("orders", READ_MODEL).matches()).as("the pause should land in the middle of the backlog").isFalse();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> "paused-w2".equals(observer.holder()) || !other.isAlive());
                assertThat(other.isAlive()).as(other::log).isTrue();
                // The new holder moves on past everything the frozen one holds in memory, deletes of orders included.
                new DemoWorkload(dynamo, "orders", "b-", 4).run(20, 300);
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> verifier.verify("orders", READ_MODEL).matches() || !other.isAlive());

                first.resume();
                // Whatever the resumed worker sends now is stale; it finds its lease gone at its next checkpoint or renewal.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> first.log().contains("lease lost") || first.log().contains("lease no longer held") || !first.isAlive());
                new DemoWorkload(dynamo, "orders", "c-", 5).run(5, 60);
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> verifier.verify("orders", READ_MODEL).matches() || !other.isAlive());
                assertThat(verifier.verify("orders", READ_MODEL).differences()).as(first.log()).isEmpty();
                assertThat("paused-w2".equals(observer.holder()) || "paused-w1".equals(observer.holder())).isTrue();
            } finally {
                if (first.isAlive()) {
                    first.resume();
                    assertThat(first.terminate()).as("the resumed worker's exit code after SIGTERM").isZero();
                }
                if (second != null) {
                    assertThat(second.terminate()).as("exit code after SIGTERM").isZero();
                }
            }
        }
    }

    private static String[] args(LocalDynamoDb local, String workerId) {
        return new String[] {"run", "--endpoint", local.endpoint().toString(), "--source-table", "orders",
                "--read-model-table", READ_MODEL, "--application-name", APP, "--create-tables", "--worker-id", workerId,
                "--commit-mode", "guarded"};
    }

    /** How many order-history items the first page of the read model holds: above 0 once the first window is being sent. */
    private static long projected(DynamoDbClient dynamo) {
        if (!Tables.exists(dynamo, READ_MODEL)) {
            return 0;
        }
        // The first 200 items are enough to see any: engine items (the shard's report) do not count.
        return dynamo.scan(b -> b.tableName(READ_MODEL).select(software.amazon.awssdk.services.dynamodb.model.Select.COUNT).limit(200)
                .filterExpression("begins_with(PK, :c)")
                .expressionAttributeValues(java.util.Map.of(":c", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("CUSTOMER#")))).count();
    }
}
