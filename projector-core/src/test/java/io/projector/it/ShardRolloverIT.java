package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.SequenceNumber;
import io.projector.Write;
import io.projector.local.LocalDynamoDb;
import io.projector.ops.ReadModelVerifier;
import io.projector.ops.VerificationResult;
import io.projector.worker.Projector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The rollover helper of the test support, on the real KCL: a rollover closes the open shard and
 * opens a child; the worker projects the child's records too, and every change of the parent
 * before any of the child's (KCL keeps a child's lease until its parent is done).
 */
class ShardRolloverIT {

    @Test
    void aRolloverGivesAChildShardWhoseRecordsAreProjectedAfterTheParents() {
        TestDynamo.Setup t = TestDynamo.tables("rollover");
        List<SequenceNumber> seen = new CopyOnWriteArrayList<>();
        Recording projection = new Recording(seen);
        String arn = TestDynamo.client().describeTable(b -> b.tableName(t.source())).table().latestStreamArn();
        try (DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder().endpointOverride(TestDynamo.local().endpoint())
                .region(Region.US_EAST_1).credentialsProvider(LocalDynamoDb.CREDENTIALS).build();
             Projector projector = t.start(List.of(projection))) {
            for (int i = 0; i < 5; i++) {
                TestDynamo.putThing(t.source(), "T#" + i, "1", "g" + i % 2, "before", 1);
            }
            assertThat(shards(streams, arn)).hasSize(1);

            TestDynamo.rollOverShards(t.source());

            List<Shard> shards = shards(streams, arn);
            assertThat(shards).hasSize(2);
            Shard parent = shards.get(0);
            Shard child = shards.get(1);
            assertThat(parent.sequenceNumberRange().endingSequenceNumber()).as("the parent is closed").isNotNull();
            assertThat(child.parentShardId()).isEqualTo(parent.shardId());
            assertThat(child.sequenceNumberRange().endingSequenceNumber()).as("the child is open").isNull();

            for (int i = 0; i < 5; i++) {
                TestDynamo.putThing(t.source(), "T#" + i, "1", "g" + (i + 1) % 2, "after", 2);
            }
            TestDynamo.deleteThing(t.source(), "T#0", "1");
            ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), List.of(new CopyProjection()), "type");
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                VerificationResult r = verifier.verify(t.source(), t.readModel());
                assertThat(r.matches()).as(r.summary(10)).isTrue();
            });
            List<SequenceNumber> firstSeen = new ArrayList<>(new LinkedHashSet<>(seen));
            assertThat(firstSeen).hasSize(11);
            SequenceNumber lastOfParent = SequenceNumber.parse(parent.sequenceNumberRange().endingSequenceNumber());
            assertThat(firstSeen.subList(0, 5)).allMatch(s -> !s.isAfter(lastOfParent));
            assertThat(firstSeen.subList(5, 11)).allMatch(s -> s.isAfter(lastOfParent));
            assertThat(firstSeen).isSortedAccordingTo(SequenceNumber::compareTo);
            assertThat(projector.stats().haltedShards()).isEmpty();
        }
    }

    private static List<Shard> shards(DynamoDbStreamsClient streams, String arn) {
        return streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards();
    }

    /** The copy projection, noting the sequence number of each change it is given. */
    private record Recording(List<SequenceNumber> seen) implements Projection {
        private static final CopyProjection COPY = new CopyProjection();

        @Override
        public String name() {
            return COPY.name();
        }

        @Override
        public Set<String> entityTypes() {
            return COPY.entityTypes();
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            seen.add(event.sequenceNumber());
            return COPY.project(event);
        }
    }
}
