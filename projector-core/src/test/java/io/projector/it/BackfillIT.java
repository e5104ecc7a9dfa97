package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.projector.Backfill;
import io.projector.BackfillConfig;
import io.projector.BackfillProgress;
import io.projector.DeadLetters;
import io.projector.Projection;
import io.projector.Projector;
import io.projector.ProjectorConfig;
import io.projector.SequenceNumber;
import io.projector.internal.WatermarkStore;
import io.projector.verify.ReadModelVerifier;
import io.projector.verify.VerificationResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Backfill on DynamoDB Local with the real KCL: data written before the stream existed, a scan
 * while a writer keeps changing the same items, and the hand-off to the stream; the read model
 * must equal a recomputation from the final source, counters included.
 */
class BackfillIT {

    private static final List<Projection> PROJECTIONS = List.of(new CopyProjection());

    @Test
    void backfillWhileWritersChangeTheSameItemsHandsOffExactly() throws Exception {
        TestDynamo.Setup t = legacyTables("backfill");
        VersionedWriter writer = new VersionedWriter(TestDynamo.client(), t.source(), 7);
        for (int i = 0; i < 300; i++) {
            writer.insert(i % 10 == 0 ? null : (long) (1 + i % 3)); // some legacy items have no version at all
        }
        enableStream(t.source());
        ProjectorConfig config = t.config().build();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger writes = new AtomicInteger();
        Thread writerThread = new Thread(() -> {
            while (writing.get() && writes.get() < 1_500) {
                writer.randomWrite();
                writes.incrementAndGet();
            }
        });
        try (Projector projector = Projector.start(config, PROJECTIONS)) {
            Backfill backfill = Backfill.start(config, PROJECTIONS, BackfillConfig.builder()
                    .segments(3).pageSize(15).joinTimeout(Duration.ofSeconds(120)).build());
            await().atMost(Duration.ofSeconds(120)).until(() -> List.of("SCANNING", "COMPLETE").contains(backfill.progress().phase()));
            writerThread.start();
            BackfillProgress done = backfill.await();
            assertThat(done.phase()).isEqualTo("COMPLETE");
            assertThat(done.scanned()).isGreaterThanOrEqualTo(300);
            assertThat(done.applied()).isPositive();
            // Keep writing past the scan's end plus the margin, so the shard leaves the hand-off on live traffic.
            await().atMost(Duration.ofSeconds(60)).until(() -> writes.get() >= 1_500 || !writerThread.isAlive());
            writing.set(false);
            writerThread.join();
            ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), PROJECTIONS, "type");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                VerificationResult r = verifier.verify(t.source(), t.readModel());
                assertThat(r.matches()).as(r.summary(10)).isTrue();
            });
            assertThat(new DeadLetters(TestDynamo.client(), t.readModel(), PROJECTIONS).list(null)).isEmpty();
            assertThat(projector.stats().haltedShards()).isEmpty();
        }
    }

    @Test
    void anInterruptedBackfillResumesWhereItStopped() throws Exception {
        TestDynamo.Setup t = legacyTables("resume");
        VersionedWriter writer = new VersionedWriter(TestDynamo.client(), t.source(), 11);
        for (int i = 0; i < 400; i++) {
            writer.insert(1L);
        }
        enableStream(t.source());
        ProjectorConfig config = t.config().build();
        BackfillConfig slow = BackfillConfig.builder().segments(2).pageSize(10).readUnitsPerSecond(40)
                .joinTimeout(Duration.ofSeconds(120)).build();
        try (Projector projector = Projector.start(config, PROJECTIONS)) {
            Backfill first = Backfill.start(config, PROJECTIONS, slow);
            await().atMost(Duration.ofSeconds(120)).until(() -> first.progress().scanned() >= 100);
            first.stop();
            BackfillProgress stopped = first.await();
            assertThat(stopped.phase()).isEqualTo("STOPPED");
            assertThat(stopped.scanned()).isLessThan(400);

            for (int i = 0; i < 20; i++) {
                writer.randomWrite();
            }
            Backfill second = Backfill.start(config, PROJECTIONS, BackfillConfig.builder().segments(2).pageSize(50)
                    .joinTimeout(Duration.ofSeconds(60)).build());
            BackfillProgress done = second.await();
            assertThat(done.phase()).isEqualTo("COMPLETE");
            assertThat(done.resumedFrom()).as("items the first run had scanned").isGreaterThanOrEqualTo(stopped.scanned() - 2 * 10);
            assertThat(done.scanned() - done.resumedFrom()).as("items the second run scanned").isLessThan(400);

            ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), PROJECTIONS, "type");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                VerificationResult r = verifier.verify(t.source(), t.readModel());
                assertThat(r.matches()).as(r.summary(10)).isTrue();
            });
        }
    }

    @Test
    void aProjectionThatAlreadyRanWithoutABackfillIsRefusedWithTheWayOut() {
        TestDynamo.Setup t = TestDynamo.tables("refused");
        // What a worker leaves after committing for the projection without a hand-off: its watermark.
        TestDynamo.client().putItem(b -> b.tableName(t.readModel()).item(java.util.Map.of(
                "PK", AttributeValue.fromS(WatermarkStore.key("copy", "shardId-1").pk()),
                "SK", AttributeValue.fromS(WatermarkStore.key("copy", "shardId-1").sk()),
                "seq", AttributeValue.fromS(SequenceNumber.of(42).sortable()))));
        assertThatThrownBy(() -> Backfill.start(t.config().build(), PROJECTIONS, BackfillConfig.builder().build()).await())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'copy' has already applied stream changes")
                .hasMessageContaining("projector rebuild");
    }

    /** Tables whose source has no stream yet: what is written now is older than anything the stream will deliver. */
    private static TestDynamo.Setup legacyTables(String name) {
        TestDynamo.Setup t = TestDynamo.tables(name);
        TestDynamo.client().updateTable(b -> b.tableName(t.source()).streamSpecification(StreamSpecification.builder().streamEnabled(false).build()));
        return t;
    }

    private static void enableStream(String table) {
        TestDynamo.client().updateTable(b -> b.tableName(table).streamSpecification(StreamSpecification.builder()
                .streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES).build()));
    }
}
