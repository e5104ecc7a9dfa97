package io.projector.it;

import static io.projector.it.TestDynamo.get;
import static io.projector.it.TestDynamo.putThing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.worker.Projector;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The whole path through the real KCL and adapter on DynamoDB Local: inserts, updates and deletes. */
class EndToEndIT {

    @Test
    void insertsUpdatesAndDeletesReachTheReadModel() {
        TestDynamo.Setup t = TestDynamo.tables("e2e");
        try (Projector projector = t.start(List.of(new CopyProjection()))) {
            putThing(t.source(), "A", "1", "g", "x", 5);
            putThing(t.source(), "A", "2", "g", "y", 7);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(get(t.readModel(), "GROUP#g", "SUM")).containsEntry("count", AttributeValue.fromN("2"))
                            .containsEntry("amount", AttributeValue.fromN("12")));

            putThing(t.source(), "A", "1", "g", "x2", 10);
            TestDynamo.deleteThing(t.source(), "A", "2");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(get(t.readModel(), "GROUP#g", "SUM")).containsEntry("count", AttributeValue.fromN("1"))
                        .containsEntry("amount", AttributeValue.fromN("10"));
                assertThat(get(t.readModel(), "COPY#A#1", "COPY")).containsEntry("value", AttributeValue.fromS("x2"));
                assertThat(get(t.readModel(), "COPY#A#2", "COPY")).isEmpty();
            });
            assertThat(projector.stats().eventsSeen()).isEqualTo(4);
            assertThat(projector.stats().haltedShards()).isEmpty();
        }
    }
}
