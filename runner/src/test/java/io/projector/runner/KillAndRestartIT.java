package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.Tables;
import io.projector.local.LocalDynamoDb;
import io.projector.verify.ReadModelVerifier;
import io.projector.verify.VerificationResult;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A worker process killed with SIGKILL in the middle of a backlog, and a new one started in its
 * place, end with a read model equal to a recomputation from the source: counters included, so a
 * double-applied or lost change would show.
 */
class KillAndRestartIT {

    @Test
    void aWorkerKilledMidBacklogAndRestartedLosesAndDoublesNothing() throws Exception {
        try (LocalDynamoDb local = LocalDynamoDb.inMemory();
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(LocalDynamoDb.CREDENTIALS).build()) {
            Tables.createSourceTable(dynamo, "orders");
            String[] args = {"run", "--endpoint", local.endpoint().toString(), "--source-table", "orders",
                    "--read-model-table", "orders-read", "--application-name", "kill-test", "--create-tables"};
            ReadModelVerifier verifier = new ReadModelVerifier(dynamo, ProjectionCatalog.builtIn().select(null), "type");

            new DemoWorkload(dynamo, "orders", "a-", 1).run(100, 1500);

            WorkerProcess first = WorkerProcess.start("kill-1", args);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                    .until(() -> hasWatermark(dynamo) || !first.isAlive());
            assertThat(first.isAlive()).as(first::log).isTrue();
            first.kill();
            VerificationResult atKill = verifier.verify("orders", "orders-read");
            assertThat(atKill.matches()).as("the kill should land in the middle of the backlog").isFalse();

            new DemoWorkload(dynamo, "orders", "b-", 2).run(20, 300);

            WorkerProcess second = WorkerProcess.start("kill-2", args);
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> verifier.verify("orders", "orders-read").matches() || !second.isAlive());
            VerificationResult end = verifier.verify("orders", "orders-read");
            assertThat(end.differences()).as(second::log).isEmpty();
            assertThat(end.actualItems()).isGreaterThan(5000);

            assertThat(second.terminate()).as("exit code after SIGTERM").isZero();
            assertThat(second.log()).contains("SIGTERM received: stopping gracefully").contains("stopped cleanly");
        }
    }

    private static boolean hasWatermark(DynamoDbClient dynamo) {
        if (!Tables.exists(dynamo, "orders-read")) {
            return false;
        }
        return dynamo.query(b -> b.tableName("orders-read").keyConditionExpression("PK = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("PROJECTOR#WATERMARK#order-counters")))).count() > 0;
    }
}
