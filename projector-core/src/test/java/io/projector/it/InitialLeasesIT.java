package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.local.LocalDynamoDb;
import io.projector.ops.ReadModelVerifier;
import io.projector.ops.VerificationResult;
import io.projector.worker.Projector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * A new application's first leases are written before its schedulers start, so the KCL's random
 * 1–30 s wait on an empty lease table never happens: three workers of one new application start at
 * the same moment on a stream that has rolled over (a closed parent and its open child), and the
 * lease table ends with exactly one lease per shard, the child naming its parent, as the KCL's own
 * shard sync writes them; the workers then project everything, the parent before the child.
 */
class InitialLeasesIT {

    @Test
    void workersStartingTogetherWriteOneLeasePerShardWithItsParentAndProjectAtOnce() throws Exception {
        TestDynamo.Setup t = TestDynamo.tables("leases");
        for (int i = 0; i < 6; i++) {
            TestDynamo.putThing(t.source(), "L#" + i, "1", "g" + i % 2, "before", 1);
        }
        TestDynamo.rollOverShards(t.source());
        for (int i = 0; i < 6; i++) {
            TestDynamo.putThing(t.source(), "L#" + i, "1", "g" + (i + 1) % 2, "after", 2);
        }
        String arn = TestDynamo.client().describeTable(b -> b.tableName(t.source())).table().latestStreamArn();
        List<Shard> shards;
        try (DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder().endpointOverride(TestDynamo.local().endpoint())
                .region(Region.US_EAST_1).credentialsProvider(LocalDynamoDb.CREDENTIALS).build()) {
            shards = streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards();
        }
        assertThat(shards).hasSizeGreaterThanOrEqualTo(2);

        ExecutorService starters = Executors.newFixedThreadPool(3);
        List<Projector> workers = new ArrayList<>();
        long started = System.nanoTime();
        try {
            List<Callable<Projector>> starts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                starts.add(() -> t.start(List.of(new CopyProjection())));
            }
            for (Future<Projector> f : starters.invokeAll(starts)) {
                workers.add(f.get());
            }

            Map<String, Map<String, AttributeValue>> leases = TestDynamo.client().scan(b -> b.tableName(t.application()).consistentRead(true))
                    .items().stream().collect(Collectors.toMap(l -> l.get("leaseKey").s(), l -> l));
            assertThat(leases.keySet()).as("one lease per shard, keyed by shard id")
                    .containsExactlyInAnyOrderElementsOf(shards.stream().map(Shard::shardId).toList());
            for (Shard shard : shards) {
                Map<String, AttributeValue> lease = leases.get(shard.shardId());
                if (shard.parentShardId() == null || !leases.containsKey(shard.parentShardId())) {
                    assertThat(lease.get("parentShardId")).as("lease of root shard %s", shard.shardId()).isNull();
                } else {
                    assertThat(lease.get("parentShardId").ss()).as("lease of child shard %s", shard.shardId())
                            .containsExactly(shard.parentShardId());
                }
            }

            ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), List.of(new CopyProjection()), "type");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                VerificationResult r = verifier.verify(t.source(), t.readModel());
                assertThat(r.matches()).as(r.summary(10)).isTrue();
            });
            System.out.printf("InitialLeasesIT: 3 workers of a new application, %d shards: read model exact %.1f s after the starts began%n",
                    shards.size(), (System.nanoTime() - started) / 1e9);
            assertThat(workers).allSatisfy(w -> assertThat(w.stats().haltedShards()).isEmpty());
        } finally {
            starters.shutdownNow();
            workers.parallelStream().forEach(w -> w.stop(Duration.ofSeconds(20)));
        }
    }
}
