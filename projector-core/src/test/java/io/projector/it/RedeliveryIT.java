package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.ops.ReadModelVerifier;
import io.projector.worker.Projector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Records whose writes were committed but whose KCL checkpoint was lost (a crash between commit
 * and checkpoint) are delivered again; the watermarks make the redelivery change nothing.
 */
class RedeliveryIT {

    @Test
    void committedButNotCheckpointedRecordsAreSkippedWhenDeliveredAgain() {
        TestDynamo.Setup t = TestDynamo.tables("redeliver");
        ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), List.of(new CopyProjection()), "type");
        new SourceWriter(t.source(), 11, 30).write(200);

        try (Projector first = t.start(List.of(new CopyProjection()))) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> verifier.verify(t.source(), t.readModel()).matches());
        }
        Map<String, AttributeValue> groupBefore = TestDynamo.get(t.readModel(), "GROUP#g1", "SUM");
        assertThat(groupBefore).containsKey("count");

        // Forget every checkpoint, as if the worker had died right after its commits.
        TestDynamo.client().scanPaginator(b -> b.tableName(t.application())).items().forEach(lease ->
                TestDynamo.client().updateItem(b -> b.tableName(t.application()).key(Map.of("leaseKey", lease.get("leaseKey")))
                        .updateExpression("SET checkpoint = :c, checkpointSubSequenceNumber = :z")
                        .expressionAttributeValues(Map.of(":c", AttributeValue.fromS("TRIM_HORIZON"), ":z", AttributeValue.fromN("0")))));

        try (Projector second = t.start(List.of(new CopyProjection()))) {
            await().atMost(Duration.ofSeconds(90)).until(() -> second.stats().eventsSeen() >= 200);
            assertThat(second.stats().itemWrites()).isZero();
            assertThat(TestDynamo.get(t.readModel(), "GROUP#g1", "SUM")).isEqualTo(groupBefore);
            assertThat(verifier.verify(t.source(), t.readModel()).differences()).isEmpty();
        }
    }
}
