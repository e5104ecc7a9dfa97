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

    private final long startNanos = System.nanoTime();

    /** One line of the run's timeline on standard output: where a slow run spent its time. */
    private void mark(String what) {
        System.out.printf("PausedHolderIT %6.1f s  %s%n", (System.nanoTime() - startNanos) / 1e9, what);
    }

    @Test
    void aHolderFrozenPastItsLeaseAndResumedChangesNothingTwice() throws Exception {
        try (LocalDynamoDb local = LocalDynamoDb.inMemory();
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(LocalDynamoDb.CREDENTIALS).build()) {
            Tables.createSourceTable(dynamo, "orders");
            // Made before the two workers start at once, so that neither races the other to create them.
            Tables.createReadModelTable(dynamo, READ_MODEL);
            Tables.createLeaseTable(dynamo, APP);
            ReadModelVerifier verifier = new ReadModelVerifier(dynamo, ProjectionCatalog.builtIn().select(null), "type");
            // Both workers start while the backlog is written: either may take the shard, and the one that does is frozen.
            WorkerProcess first = WorkerProcess.start("paused-1", args(local, "paused-w1"));
            WorkerProcess second = WorkerProcess.start("paused-2", args(local, "paused-w2"));
            try (LeaseObserver observer = new LeaseObserver(dynamo, APP, READ_MODEL, List.of("order-counters"), e -> { }).start()) {
                new DemoWorkload(dynamo, "orders", "a-", 3).run(100, 1500);
                mark("backlog written while the workers started");
                // A shard behind folds five batches into one window: the holder is sending one once items appear.
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                        .until(() -> (observer.holder() != null && projected(dynamo) > 0) || !first.isAlive() || !second.isAlive());
                assertThat(first.isAlive()).as(first::log).isTrue();
                assertThat(second.isAlive()).as(second::log).isTrue();
                boolean firstHolds = "paused-w1".equals(observer.holder());
                WorkerProcess frozen = firstHolds ? first : second;
                WorkerProcess other = firstHolds ? second : first;
                String otherId = firstHolds ? "paused-w2" : "paused-w1";
                mark("the first window is being sent by " + observer.holder());

                frozen.pause();
                assertThat(verifier.verify("orders", READ_MODEL).matches()).as("the pause should land in the middle of the backlog").isFalse();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                        .until(() -> otherId.equals(observer.holder()) || !other.isAlive());
                mark("the other worker holds the shard");
                assertThat(other.isAlive()).as(other::log).isTrue();
                // The new holder moves on past everything the frozen one holds in memory, deletes of orders included.
                new DemoWorkload(dynamo, "orders", "b-", 4).run(20, 300);
                mark("more changes written");
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> verifier.verify("orders", READ_MODEL).matches() || !other.isAlive());
                mark("the other worker caught up");
                frozen.resume();
                // Whatever the resumed worker sends now is stale; it finds its lease gone at its next checkpoint or renewal.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> frozen.log().contains("lease lost") || frozen.log().contains("lease no longer held") || !frozen.isAlive());
                mark("the resumed worker saw its lease gone");
                new DemoWorkload(dynamo, "orders", "c-", 5).run(5, 60);
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> verifier.verify("orders", READ_MODEL).matches() || !other.isAlive());
                mark("converged");
                assertThat(verifier.verify("orders", READ_MODEL).differences()).as(frozen.log()).isEmpty();
                assertThat("paused-w2".equals(observer.holder()) || "paused-w1".equals(observer.holder())).isTrue();
            } finally {
                for (WorkerProcess w : List.of(first, second)) {
                    if (w.isAlive()) {
                        w.resume();
                        assertThat(w.terminate()).as("exit code after SIGTERM").isZero();
                    }
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
