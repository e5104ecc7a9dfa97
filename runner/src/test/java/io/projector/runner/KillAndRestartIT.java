package io.projector.runner;

import io.projector.runner.demo.DemoWorkload;
import io.projector.internal.plan.EngineKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.ops.Tables;
import io.projector.local.LocalDynamoDb;
import io.projector.ops.ReadModelVerifier;
import io.projector.ops.VerificationResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The worker that is both the KCL leader and the shard's holder is killed with SIGKILL in the middle
 * of a backlog while a second worker runs: the second takes the shard once the dead leader's lock
 * has expired (measured; KCL's own lock lasts two minutes, Projector's 3 s locally), a worker
 * started in the killed one's place joins, and the read model ends equal to a recomputation from
 * the source: counters included, so a double-applied or lost change would show.
 */
class KillAndRestartIT {

    /** The bound for a dead leader's shard to move locally (3 s lock + 1 s assignment + start-up noise). */
    private static final Duration LEADER_TAKEOVER_LIMIT = Duration.ofSeconds(15);

    @Test
    void aKilledLeaderIsReplacedInSecondsAndTheReadModelLosesAndDoublesNothing() throws Exception {
        try (LocalDynamoDb local = LocalDynamoDb.inMemory();
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(LocalDynamoDb.CREDENTIALS).build()) {
            Tables.createSourceTable(dynamo, "orders");
            ReadModelVerifier verifier = new ReadModelVerifier(dynamo, ProjectionCatalog.builtIn().select(null), "type");
            // Large enough that the kill, after the second worker is up, still lands mid-backlog.
            new DemoWorkload(dynamo, "orders", "a-", 1).run(150, 1800);

            WorkerProcess first = WorkerProcess.start("kill-1", args(local, "kill-w1"));
            try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                    .until(() -> hasWatermark(dynamo) || !first.isAlive());
            assertThat(first.isAlive()).as(first::log).isTrue();
            WorkerProcess second = WorkerProcess.start("kill-2", args(local, "kill-w2"));
            WorkerProcess third = null;
            try (LeaseObserver observer = new LeaseObserver(dynamo, "kill-test", "orders-read", List.of("order-counters"), e -> { })
                    .start()) {
                // The second worker is up when it serves its health endpoint; by then it reports its load too.
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                        .until(() -> second.log().contains("health, readiness and metrics on") || !second.isAlive());
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> "kill-w1".equals(observer.holder()) && "kill-w1".equals(observer.leader()));

                first.kill();
                long killed = System.nanoTime();
                VerificationResult atKill = verifier.verify("orders", "orders-read");
                assertThat(atKill.matches()).as("the kill should land in the middle of the backlog").isFalse();
                await().atMost(LEADER_TAKEOVER_LIMIT.plusSeconds(45)).pollInterval(Duration.ofMillis(100))
                        .until(() -> "kill-w2".equals(observer.holder()) || !second.isAlive());
                Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
                System.out.printf("KillAndRestartIT: the leader and holder was SIGKILLed; the other worker held the shard %.1f s later%n",
                        takeover.toMillis() / 1000.0);
                assertThat(takeover).as("SIGKILLed leader's shard taken by the live worker").isLessThanOrEqualTo(LEADER_TAKEOVER_LIMIT);

                new DemoWorkload(dynamo, "orders", "b-", 2).run(20, 300);
                third = WorkerProcess.start("kill-3", args(local, "kill-w1"));
                WorkerProcess running = second;
                // Each check scans both tables (~10,000 items each) and recomputes: every 3 s leaves the
                // cores to the worker.
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(3))
                        .until(() -> verifier.verify("orders", "orders-read").matches() || !running.isAlive());
                VerificationResult end = verifier.verify("orders", "orders-read");
                assertThat(end.differences()).as(second::log).isEmpty();
                assertThat(end.actualItems()).isGreaterThan(5000);
            } finally {
                int thirdExit = third == null ? 0 : third.terminate();
                int secondExit = second.terminate();
                assertThat(secondExit).as("exit code after SIGTERM").isZero();
                assertThat(thirdExit).as("exit code after SIGTERM").isZero();
            }
            assertThat(second.log()).contains("SIGTERM received: stopping gracefully").contains("stopped cleanly");
            } finally {
                // A failure before the kill must not leave the first worker running after the test.
                if (first.isAlive()) {
                    first.kill();
                }
            }
        }
    }

    private static String[] args(LocalDynamoDb local, String workerId) {
        return new String[] {"run", "--endpoint", local.endpoint().toString(), "--source-table", "orders",
                "--read-model-table", "orders-read", "--application-name", "kill-test", "--create-tables", "--worker-id", workerId,
                // The guarded commit here, the transactional one in CrashIT's main application: both modes lose a killed leader.
                "--commit-mode", "guarded"};
    }

    private static boolean hasWatermark(DynamoDbClient dynamo) {
        if (!Tables.exists(dynamo, "orders-read")) {
            return false;
        }
        return dynamo.query(b -> b.tableName("orders-read").keyConditionExpression("PK = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(EngineKeys.of("kill-test").watermarkPartition("order-counters"))))).count() > 0;
    }
}
