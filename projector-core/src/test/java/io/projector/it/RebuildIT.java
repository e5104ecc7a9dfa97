package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.Projection;
import io.projector.ops.BackfillConfig;
import io.projector.ops.ReadModelPointer;
import io.projector.ops.ReadModelVerifier;
import io.projector.ops.Rebuild;
import io.projector.ops.RebuildOptions;
import io.projector.ops.Tables;
import io.projector.ops.VerificationResult;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Blue/green rebuild on DynamoDB Local: the new table is built from the stream and a backfill
 * while a reader keeps resolving the alias and reading; the reader must never meet a missing
 * table or a half-built one, and must see the cut-over. A cancelled rebuild leaves readers and
 * the live worker untouched.
 */
class RebuildIT {

    private static final List<Projection> PROJECTIONS = List.of(new CopyProjection());
    private static final int ITEMS = 200;

    @Test
    void cutOverWhileAReaderQueriesNeverShowsAMissingOrHalfBuiltTable() throws Exception {
        TestDynamo.Setup t = TestDynamo.tables("rebuild");
        ProjectorConfig live = t.config().build();
        ReadModelPointer pointer = pointerAt(t);
        String alias = alias(t);
        try (Projector liveWorker = Projector.start(live, PROJECTIONS)) {
            VersionedWriter writer = new VersionedWriter(TestDynamo.client(), t.source(), 3);
            for (int i = 0; i < ITEMS; i++) {
                writer.insert(1L);
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> totalCount(t.readModel()) == ITEMS);

            AtomicBoolean reading = new AtomicBoolean(true);
            List<String> failures = new CopyOnWriteArrayList<>();
            Map<String, AtomicInteger> readsPerTable = new ConcurrentHashMap<>();
            Thread reader = new Thread(() -> {
                while (reading.get()) {
                    String table = pointer.resolve(alias);
                    try {
                        long count = totalCount(table);
                        if (count != ITEMS) {
                            failures.add(table + " showed " + count + " things, not " + ITEMS);
                        }
                        readsPerTable.computeIfAbsent(table, k -> new AtomicInteger()).incrementAndGet();
                    } catch (RuntimeException e) {
                        failures.add(table + ": " + e);
                    }
                }
            });
            reader.start();
            String newTable = t.readModel() + "-v2";
            try (Rebuild rebuild = Rebuild.start(live, PROJECTIONS, new RebuildOptions(alias, newTable, pointer.table(),
                    BackfillConfig.builder().purpose("rebuild").segments(2).pageSize(25).joinTimeout(Duration.ofSeconds(120)).build()))) {
                assertThat(rebuild.awaitCaughtUp(Duration.ofSeconds(180))).as("caught up, phase " + rebuild.phase()).isTrue();
                rebuild.cutOver();
                assertThat(pointer.resolve(alias)).isEqualTo(newTable);
                await().atMost(Duration.ofSeconds(30)).until(() -> readsPerTable.getOrDefault(newTable, new AtomicInteger()).get() >= 20);
                reading.set(false);
                reader.join();

                assertThat(failures).isEmpty();
                assertThat(readsPerTable.keySet()).containsExactlyInAnyOrder(t.readModel(), newTable);
                VerificationResult r = new ReadModelVerifier(TestDynamo.client(), PROJECTIONS, "type").verify(t.source(), newTable);
                assertThat(r.matches()).as(r.summary(10)).isTrue();
                assertThat(Tables.exists(TestDynamo.client(), t.readModel())).as("the old table is left for the user").isTrue();

                // After the cut-over the new worker keeps the new table current.
                writer.insert(1L);
                await().atMost(Duration.ofSeconds(30)).until(() -> totalCount(newTable) == ITEMS + 1);
            }
        }
    }

    @Test
    void aCancelledRebuildLeavesReadersAndTheLiveWorkerAlone() throws Exception {
        TestDynamo.Setup t = TestDynamo.tables("cancel");
        ProjectorConfig live = t.config().build();
        ReadModelPointer pointer = pointerAt(t);
        String alias = alias(t);
        try (Projector liveWorker = Projector.start(live, PROJECTIONS)) {
            VersionedWriter writer = new VersionedWriter(TestDynamo.client(), t.source(), 5);
            for (int i = 0; i < 50; i++) {
                writer.insert(1L);
            }
            String newTable = t.readModel() + "-v2";
            RebuildOptions options = new RebuildOptions(alias, newTable, pointer.table(),
                    BackfillConfig.builder().purpose("rebuild").joinTimeout(Duration.ofSeconds(120)).build());
            Rebuild rebuild = Rebuild.start(live, PROJECTIONS, options);
            rebuild.cancel();
            assertThat(rebuild.phase()).isEqualTo(Rebuild.Phase.CANCELLED);
            assertThat(Tables.exists(TestDynamo.client(), newTable)).isFalse();
            assertThat(Tables.exists(TestDynamo.client(), options.applicationName(live.applicationName()))).isFalse();
            assertThat(pointer.resolve(alias)).isEqualTo(t.readModel());

            writer.insert(1L);
            await().atMost(Duration.ofSeconds(120)).until(() -> totalCount(t.readModel()) == 51);
        }
    }

    /**
     * Issue 11, item 4: a shard that closes during a rebuild never reaches a tip again; the rebuild
     * must still catch up (its open child does) and cut over, with a read model equal to the source.
     */
    @Test
    void aRebuildSpanningAShardRolloverCatchesUp() throws Exception {
        TestDynamo.Setup t = TestDynamo.tables("rebuild-rollover");
        ProjectorConfig live = t.config().build();
        ReadModelPointer pointer = pointerAt(t);
        VersionedWriter writer = new VersionedWriter(TestDynamo.client(), t.source(), 13);
        for (int i = 0; i < 50; i++) {
            writer.insert(1L);
        }
        String newTable = t.readModel() + "-v2";
        try (Rebuild rebuild = Rebuild.start(live, PROJECTIONS, new RebuildOptions(alias(t), newTable, pointer.table(),
                BackfillConfig.builder().purpose("rebuild").segments(2).pageSize(10).joinTimeout(Duration.ofSeconds(120)).build()))) {
            TestDynamo.rollOverShards(t.source());
            for (int i = 0; i < 20; i++) {
                writer.randomWrite();
            }
            assertThat(rebuild.awaitCaughtUp(Duration.ofSeconds(120))).as("caught up, phase " + rebuild.phase()).isTrue();
            rebuild.cutOver();
            assertThat(pointer.resolve(alias(t))).isEqualTo(newTable);
            ReadModelVerifier verifier = new ReadModelVerifier(TestDynamo.client(), PROJECTIONS, "type");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                VerificationResult r = verifier.verify(t.source(), newTable);
                assertThat(r.matches()).as(r.summary(10)).isTrue();
            });
        }
    }

    /** A pointer table whose alias points at the live read model, as readers would have it before a rebuild. */
    private static ReadModelPointer pointerAt(TestDynamo.Setup t) {
        ReadModelPointer pointer = new ReadModelPointer(TestDynamo.client(), t.application() + "-ptr");
        pointer.createTable();
        pointer.switchTo(alias(t), alias(t), t.readModel());
        return pointer;
    }

    private static String alias(TestDynamo.Setup t) {
        return t.application() + "-view";
    }

    /** Things in all groups, by the group counters: a half-built table shows fewer. */
    private static long totalCount(String table) {
        long total = 0;
        for (String g : Set.of("g0", "g1", "g2", "g3", "g4")) {
            AttributeValue count = TestDynamo.get(table, "GROUP#" + g, "SUM").get("count");
            total += count == null ? 0 : Long.parseLong(count.n());
        }
        return total;
    }
}
