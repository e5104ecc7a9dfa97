package io.projector.runner;

import io.projector.runner.demo.DemoWorkload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.ops.Tables;
import io.projector.local.LocalDynamoDb;
import io.projector.ops.ReadModelVerifier;
import io.projector.ops.VerificationResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The worker that is both the KCL leader and the shard's holder is killed with SIGKILL in the middle
 * of a backlog, while it commits it and the backlog is still being written, with a second worker
 * running: the second takes the shard once the dead leader's lock has expired (measured; KCL's own
 * lock lasts two minutes, Projector's 3 s locally), a worker started in the killed one's place
 * joins, and the read model ends equal to a recomputation from the source: counters included, so a
 * double-applied or lost change would show.
 */
class KillAndRestartIT {

    /** The bound for a dead leader's shard to move locally (3 s lock + 1 s assignment + start-up noise). */
    private static final Duration LEADER_TAKEOVER_LIMIT = Duration.ofSeconds(15);

    /** Orders of the backlog written while both workers run (~5.3 changes each); the kill lands while it is written. */
    private static final int BACKLOG_ORDERS = 400;
    /** Orders written after the takeover, while the worker started in the killed one's place joins. */
    private static final int LIVE_ORDERS = 150;

    @Test
    void aKilledLeaderIsReplacedInSecondsAndTheReadModelLosesAndDoublesNothing() throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor(r -> new Thread(r, "kill-writer"));
        try (LocalDynamoDb local = LocalDynamoDb.inMemory();
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(LocalDynamoDb.CREDENTIALS).build()) {
            Tables.createSourceTable(dynamo, "orders");
            ReadModelVerifier verifier = new ReadModelVerifier(dynamo, ProjectionCatalog.builtIn().select(null), "type");

            WorkerProcess first = WorkerProcess.start("kill-1", args(local, "kill-w1"));
            WorkerProcess second = null;
            WorkerProcess third = null;
            try (LeaseObserver observer = new LeaseObserver(dynamo, "kill-test", "orders-read", List.of("order-counters"), e -> { })
                    .start()) {
                // Alone, the first worker writes the first leases, takes the shard and becomes the leader.
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                        .until(() -> ("kill-w1".equals(observer.holder()) && "kill-w1".equals(observer.leader())) || !first.isAlive());
                assertThat(first.isAlive()).as(first::log).isTrue();
                WorkerProcess w2 = WorkerProcess.start("kill-2", args(local, "kill-w2"));
                second = w2;
                // The second worker is up when it serves its health endpoint; by then it reports its load too.
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                        .until(() -> w2.log().contains("health, readiness and metrics on") || !w2.isAlive());
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> "kill-w1".equals(observer.holder()) && "kill-w1".equals(observer.leader()));

                // The backlog is written now, with both workers up: the first works through it as it is written
                // and is killed once it has committed a few chunks of it, while the writer is still going.
                DemoWorkload backlog = new DemoWorkload(dynamo, "orders", "a-", 1);
                Future<?> writing = writer.submit(() -> {
                    backlog.run(150, BACKLOG_ORDERS);
                    return null;
                });
                long marksBefore = observer.watermarkChanges();
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                        .until(() -> observer.watermarkChanges() >= marksBefore + 3 || writing.isDone() || !first.isAlive());
                assertThat(first.isAlive()).as(first::log).isTrue();
                assertThat(writing.isDone()).as("the kill should land while the backlog is still being written").isFalse();
                assertThat(observer.holder()).isEqualTo("kill-w1");
                assertThat(observer.leader()).isEqualTo("kill-w1");

                first.kill();
                long killed = System.nanoTime();
                long writtenAtKill = backlog.writes();
                VerificationResult atKill = verifier.verify("orders", "orders-read");
                assertThat(atKill.matches()).as("the kill should land in the middle of the backlog").isFalse();
                await().atMost(LEADER_TAKEOVER_LIMIT.plusSeconds(45)).pollInterval(Duration.ofMillis(100))
                        .until(() -> "kill-w2".equals(observer.holder()) || !w2.isAlive());
                Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
                System.out.printf("KillAndRestartIT: the leader and holder was SIGKILLed (%d changes of the backlog written); "
                                + "the other worker held the shard %.1f s later%n", writtenAtKill, takeover.toMillis() / 1000.0);
                assertThat(takeover).as("SIGKILLed leader's shard taken by the live worker").isLessThanOrEqualTo(LEADER_TAKEOVER_LIMIT);

                writing.get(120, TimeUnit.SECONDS);
                System.out.printf("KillAndRestartIT: backlog of %d changes written%n", backlog.writes());
                new DemoWorkload(dynamo, "orders", "b-", 2).run(20, LIVE_ORDERS);
                third = WorkerProcess.start("kill-3", args(local, "kill-w1"));
                // A full check scans both tables and recomputes, so it runs only once no watermark has moved
                // for 2 s (the live worker has drained the stream, or stalls), and at most every 3 s: while the
                // worker is behind, the probe is the observer's watermark poll alone.
                AtomicLong lastCheck = new AtomicLong(System.nanoTime() - 3_000_000_000L);
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    if (!w2.isAlive()) {
                        return true;
                    }
                    if (observer.committingWithin(2000) || System.nanoTime() - lastCheck.get() < 3_000_000_000L) {
                        return false;
                    }
                    lastCheck.set(System.nanoTime());
                    return verifier.verify("orders", "orders-read").matches();
                });
                VerificationResult end = verifier.verify("orders", "orders-read");
                assertThat(end.differences()).as(w2::log).isEmpty();
                assertThat(end.actualItems()).isGreaterThan(3 * (BACKLOG_ORDERS + LIVE_ORDERS));
            } finally {
                // A failure before the kill must not leave the first worker running after the test.
                if (first.isAlive()) {
                    first.kill();
                }
                int thirdExit = third == null ? 0 : third.terminate();
                int secondExit = second == null ? 0 : second.terminate();
                assertThat(secondExit).as("exit code after SIGTERM").isZero();
                assertThat(thirdExit).as("exit code after SIGTERM").isZero();
            }
            assertThat(second.log()).contains("SIGTERM received: stopping gracefully").contains("stopped cleanly");
        } finally {
            writer.shutdownNow();
        }
    }

    private static String[] args(LocalDynamoDb local, String workerId) {
        return new String[] {"run", "--endpoint", local.endpoint().toString(), "--source-table", "orders",
                "--read-model-table", "orders-read", "--application-name", "kill-test", "--create-tables", "--worker-id", workerId,
                // The guarded commit here, the transactional one in CrashIT's main application: both modes lose a killed leader.
                "--commit-mode", "guarded"};
    }
}
