package io.projector.runner;

import io.projector.runner.demo.DemoWorkload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.Projection;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorConfig;
import io.projector.worker.ProjectorStats;
import io.projector.ops.Tables;
import io.projector.local.LocalDynamoDb;
import io.projector.ops.ReadModelVerifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * A hot post receiving thousands of likes and unlikes, and orders changing status many times,
 * through the real KCL with every built-in projection: the counts end exact, and coalescing makes
 * the read-model write requests a small fraction of the events.
 */
class HotPostIT {

    private static final int LIKES = 1_500;
    private static final int UNLIKES = 500;
    private static final int ORDERS = 100;
    private static final int STATUS_CHANGES = 6;

    @Test
    void aHotPostAndBusyOrdersEndExactWithFarFewerWritesThanEvents() throws Exception {
        try (LocalDynamoDb local = LocalDynamoDb.inMemory();
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(LocalDynamoDb.CREDENTIALS).build()) {
            Tables.createSourceTable(dynamo, "hot-src");
            Tables.createReadModelTable(dynamo, "hot-rm");
            Tables.createLeaseTable(dynamo, "hot-app");
            List<Projection> projections = ProjectionCatalog.builtIn().select(null);
            ProjectorConfig config = ProjectorConfig.builder().sourceTable("hot-src").readModelTable("hot-rm")
                    .applicationName("hot-app").endpoint(local.endpoint()).credentials(LocalDynamoDb.CREDENTIALS)
                    .fastLocalTuning().build();
            ReadModelVerifier verifier = new ReadModelVerifier(dynamo, projections, "type");

            // The whole workload is written before the worker starts, so the stream holds a backlog and every
            // batch is full: how much coalescing saves then depends on the workload, not on whether the worker
            // happened to keep pace with the writer on a busy machine (then each batch held a few records).
            SourceTableWriter writer = new SourceTableWriter(dynamo, "hot-src");
            writer.batchWrite(List.of(SourceTableWriter.putRequest(SourceTableWriter.item("TOPIC#coffee", "POST#hot", "Post",
                    "title", "The hot post", "author", "ana", "createdAt", "2024-01-01"))));
            List<WriteRequest> likes = new ArrayList<>();
            for (int u = 0; u < LIKES; u++) {
                likes.add(SourceTableWriter.putRequest(SourceTableWriter.item("USER#u" + u, "LIKE#hot", "Like", "topic", "coffee", "likedAt", "2024-01-02")));
            }
            writer.batchWrite(likes);
            List<WriteRequest> unlikes = new ArrayList<>();
            for (int u = 0; u < UNLIKES; u++) {
                unlikes.add(SourceTableWriter.deleteRequest("USER#u" + u, "LIKE#hot"));
            }
            writer.batchWrite(unlikes);
            DemoWorkload orders = new DemoWorkload(dynamo, "hot-src", "h-", 9);
            orders.run(10, ORDERS);
            for (int round = 0; round < STATUS_CHANGES; round++) {
                String status = DemoWorkload.STATUSES.get(round % DemoWorkload.STATUSES.size());
                orders.orders().forEach(o -> orders.setStatus(o, status));
            }

            try (Projector projector = Projector.start(config, projections)) {
                await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> verifier.verify("hot-src", "hot-rm").matches());
                assertThat(verifier.verify("hot-src", "hot-rm").differences()).isEmpty();

                Map<String, AttributeValue> post = dynamo.getItem(b -> b.tableName("hot-rm").consistentRead(true)
                        .key(Map.of("PK", AttributeValue.fromS("TOPIC#coffee"), "SK", AttributeValue.fromS("POST#hot")))).item();
                assertThat(post.get("likeCount").n()).isEqualTo(Integer.toString(LIKES - UNLIKES));
                assertThat(post.get("title").s()).isEqualTo("The hot post");

                ProjectorStats stats = projector.stats();
                System.out.printf("hot post: %,d events -> %,d read-model write requests (transactions), %,d item writes "
                                + "(%.3f requests and %.3f item writes per event)%n",
                        stats.eventsSeen(), stats.chunksCommitted(), stats.itemWrites(),
                        stats.chunksCommitted() / (double) stats.eventsSeen(), stats.itemWrites() / (double) stats.eventsSeen());
                assertThat(stats.chunksCommitted()).isLessThan(stats.eventsSeen() / 20);
            }
        }
    }
}
