package io.projector.runner;

import io.projector.runner.demo.DemoWorkload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.ops.Tables;
import io.projector.local.LocalDynamoDb;
import io.projector.ops.ReadModelVerifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * SIGTERM in the two states that made a worker overrun ECS's 30 s stop timeout: during a retry
 * storm (every read-model commit throttled, through a proxy in front of DynamoDB Local) and right
 * after a shard rollover (a child shard's consumer waits on its parent). Each worker runs with the
 * AWS default failover time (10 s), which the KCL's own shutdown used to add; each must exit 0
 * within 25 s. In between, a second worker shows that the batch abandoned in the storm is not lost.
 */
class StopBudgetIT {

    private static final String SRC = "stop-src";
    private static final String RM = "stop-rm";
    private static final String APP = "stop-app";
    private static final long TARGET_MILLIS = 25_000;

    @Test
    void aStopDuringARetryStormAndOneRightAfterAShardRolloverEachExitWithin25Seconds() throws Exception {
        try (LocalDynamoDb local = LocalDynamoDb.inMemory();
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(LocalDynamoDb.CREDENTIALS).build();
             ThrottlingProxy proxy = new ThrottlingProxy(local.endpoint())) {
            Tables.createSourceTable(dynamo, SRC);
            Tables.createReadModelTable(dynamo, RM);
            ReadModelVerifier verifier = new ReadModelVerifier(dynamo, ProjectionCatalog.builtIn().select(null), "type");
            List<WorkerProcess> workers = new ArrayList<>();
            try {
                WorkerProcess first = start(workers, proxy, "w1");
                new DemoWorkload(dynamo, SRC, "a-", 21).run(10, 40);
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> verifier.verify(SRC, RM).matches());

                proxy.throttle(true);
                new DemoWorkload(dynamo, SRC, "b-", 22).run(5, 20);
                int before = proxy.throttled.get();
                // The SDK backs off up to 20 s between throttled attempts: a few throttled calls show the storm has begun.
                await().atMost(Duration.ofSeconds(90)).until(() -> proxy.throttled.get() >= before + 3);
                long stormStop = timedStop(first);
                proxy.throttle(false);

                WorkerProcess second = start(workers, proxy, "w2");
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> verifier.verify(SRC, RM).matches());
                local.triggerShardRollovers();
                new DemoWorkload(dynamo, SRC, "c-", 23).run(3, 10);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> leases(dynamo) >= 2);
                long rolloverStop = timedStop(second);

                System.out.printf("stop budget: SIGTERM during a retry storm (%d throttled calls) -> exit 0 in %d ms; "
                        + "right after a shard rollover -> exit 0 in %d ms (failover 10 s, target %d ms)%n",
                        proxy.throttled.get(), stormStop, rolloverStop, TARGET_MILLIS);
                assertThat(stormStop).as("stop during a retry storm").isLessThan(TARGET_MILLIS);
                assertThat(rolloverStop).as("stop right after a shard rollover").isLessThan(TARGET_MILLIS);
            } finally {
                for (WorkerProcess w : workers) {
                    if (w.isAlive()) {
                        w.kill();
                    }
                }
            }
        }
    }

    private static WorkerProcess start(List<WorkerProcess> workers, ThrottlingProxy proxy, String id) throws Exception {
        WorkerProcess w = WorkerProcess.startTimed("stop-" + id, "run", "--endpoint", proxy.endpoint().toString(),
                "--source-table", SRC, "--read-model-table", RM, "--application-name", APP, "--create-tables",
                "--worker-id", id, "--failover-ms", "10000");
        workers.add(w);
        return w;
    }

    /** SIGTERM; the time to the exit, which must be 0 and come before ECS's 30 s. */
    private static long timedStop(WorkerProcess worker) throws InterruptedException {
        long started = System.nanoTime();
        Integer code = worker.terminateWithin(Duration.ofSeconds(30));
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(code).as("exit code of %s after SIGTERM (null: still running after 30 s)", worker).isEqualTo(0);
        return millis;
    }

    private static int leases(DynamoDbClient dynamo) {
        return Tables.exists(dynamo, APP) ? dynamo.scan(b -> b.tableName(APP).consistentRead(true)).count() : 0;
    }
}
