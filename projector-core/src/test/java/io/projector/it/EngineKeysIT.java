package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.Write;
import io.projector.internal.plan.EngineKeys;
import io.projector.ops.DeadLetter;
import io.projector.ops.DeadLetters;
import io.projector.ops.KeyMigration;
import io.projector.ops.ReadModelVerifier;
import io.projector.ops.VerificationResult;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Engine items per application: two applications projecting into one read-model table keep their
 * watermarks and dead letters apart, and a read model written before keys named the application
 * stops the worker until {@code migrate-keys} has moved its items, after which it resumes exactly.
 */
class EngineKeysIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private final DynamoDbClient dynamo = TestDynamo.client();

    @Test
    void twoApplicationsInOneReadModelKeepTheirOwnWatermarksAndDeadLetters() {
        TestDynamo.Setup a = TestDynamo.tables("keys-a");
        TestDynamo.Setup other = TestDynamo.tables("keys-b");
        TestDynamo.Setup b = new TestDynamo.Setup(other.source(), a.readModel(), other.application());
        FragileTally tallyA = new FragileTally();
        FragileTally tallyB = new FragileTally();
        try (Projector workerA = a.start(List.of(tallyA)); Projector workerB = b.start(List.of(tallyB))) {
            new SourceWriter(a.source(), 1, 20, "A#").write(60);
            new SourceWriter(b.source(), 2, 20, "B#").write(60);
            TestDynamo.putThing(a.source(), "A#bad", "THING", "g0", FragileTally.BAD, 1);
            TestDynamo.putThing(b.source(), "B#bad", "THING", "g1", FragileTally.BAD, 1);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() ->
                    letters(a).size() == 1 && letters(b).size() == 1
                            && withoutBadItems(a, b).matches());
        }
        // Each application's letter is under its own partition, and only its own.
        assertThat(letters(a)).singleElement().satisfies(d -> assertThat(d.sourceKey()).contains("A#bad"));
        assertThat(letters(b)).singleElement().satisfies(d -> assertThat(d.sourceKey()).contains("B#bad"));
        Map<String, String> marksA = watermarks(EngineKeys.of(a.application()), a.readModel());
        Map<String, String> marksB = watermarks(EngineKeys.of(b.application()), a.readModel());
        assertThat(marksA).isNotEmpty();
        assertThat(marksB).isNotEmpty();
        // Nothing left under the shared partitions every application used to write.
        assertThat(partition(a.readModel(), EngineKeys.beforeApplications().watermarkPartition("tally"))).isEmpty();
        assertThat(partition(a.readModel(), EngineKeys.beforeApplications().deadLetterPartition())).isEmpty();
        // Every engine item of the table belongs to one of the two, under its prefix.
        assertThat(engineItems(a.readModel())).allSatisfy(pk -> assertThat(pk)
                .satisfiesAnyOf(p -> assertThat(p).startsWith("PROJECTOR#" + a.application() + "#"),
                        p -> assertThat(p).startsWith("PROJECTOR#" + b.application() + "#")));
        // Purging one application's letters leaves the other's.
        tallyA.fix();
        assertThat(new DeadLetters(dynamo, a.readModel(), a.application(), List.of(tallyA)).purge(null)).isEqualTo(1);
        assertThat(letters(a)).isEmpty();
        assertThat(letters(b)).hasSize(1);
    }

    @Test
    void oldKeysStopTheWorkerUntilMigrateKeysMovesThemAndTheWorkerThenResumesExactly() {
        TestDynamo.Setup t = TestDynamo.tables("keys-old");
        FragileTally tally = new FragileTally();
        SourceWriter writer = new SourceWriter(t.source(), 3, 30);
        FragileTally fixed = new FragileTally();
        fixed.fix();
        ReadModelVerifier verifier = new ReadModelVerifier(dynamo, List.of(fixed), "type");
        EngineKeys keys = EngineKeys.of(t.application());
        try (Projector first = t.start(List.of(tally))) {
            writer.write(150);
            TestDynamo.putThing(t.source(), "T#bad", "THING", "g2", FragileTally.BAD, 5);
            writer.write(50);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> letters(t).size() == 1 && withoutBadItems(t).matches()
                    && first.stats().chunksCommitted() > 0);
        }
        Map<String, String> marks = watermarks(keys, t.readModel());
        assertThat(marks).isNotEmpty();
        String letterKey = letters(t).get(0).sortKey();

        // What a read model written by the version before looks like: the same items under PROJECTOR#… alone,
        // beside the items of another application with a projection of the same name (a shard of another stream).
        int downgraded = downgrade(t.readModel(), keys);
        assertThat(downgraded).isGreaterThan(marks.size());
        putOld(t.readModel(), "PROJECTOR#WATERMARK#tally", "SHARD#shardId-of-another-stream", Map.of("seq", AttributeValue.fromS("0000042"),
                "sequenceNumber", AttributeValue.fromS("42")));
        putOld(t.readModel(), "PROJECTOR#DLQ", "tally#shardId-of-another-stream#0000007", Map.of("projection", AttributeValue.fromS("tally"),
                "shardId", AttributeValue.fromS("shardId-of-another-stream"), "sequenceNumber", AttributeValue.fromS("7")));

        // The worker refuses, in one line that names the command.
        assertThatThrownBy(() -> t.start(List.of(tally)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("projector migrate-keys --source-table " + t.source() + " --read-model-table " + t.readModel()
                        + " --application-name " + t.application() + " --projections tally")
                .hasMessageContaining("watermark of tally on ")
                .hasMessageNotContaining("\n");
        writer.write(100); // changes made while the worker is down: none may be lost

        ProjectorConfig config = t.config().build();
        KeyMigration.Result dry = KeyMigration.run(config, List.of("tally"), true);
        assertThat(dry.moved()).containsEntry("watermarks", marks.size()).containsEntry("dead letters", 1);
        assertThat(watermarks(keys, t.readModel())).as("a dry run writes nothing").isEmpty();

        KeyMigration.Result moved = KeyMigration.run(config, List.of("tally"), false);
        assertThat(moved.moved()).containsEntry("watermarks", marks.size()).containsEntry("dead letters", 1);
        assertThat(moved.movedTotal()).isEqualTo(downgraded);
        assertThat(moved.left()).anySatisfy(l -> assertThat(l).startsWith("1 watermarks under PROJECTOR#WATERMARK#tally on shards neither"))
                .anySatisfy(l -> assertThat(l).startsWith("1 dead letters under PROJECTOR#DLQ on shards of another stream"));
        assertThat(watermarks(keys, t.readModel())).as("every watermark at the position it had").isEqualTo(marks);
        assertThat(letters(t)).extracting(DeadLetter::sortKey).containsExactly(letterKey);
        // The other application's items stay where they were, untouched; nothing else is left under the old keys.
        assertThat(partition(t.readModel(), "PROJECTOR#WATERMARK#tally")).extracting(i -> i.get("SK").s())
                .containsExactly("SHARD#shardId-of-another-stream");
        assertThat(partition(t.readModel(), "PROJECTOR#DLQ")).extracting(i -> i.get("SK").s())
                .containsExactly("tally#shardId-of-another-stream#0000007");
        // Run again (an interrupted run is resumed so): nothing more to move.
        assertThat(KeyMigration.run(config, List.of("tally"), false).movedTotal()).isZero();

        try (Projector second = t.start(List.of(tally))) {
            writer.write(50);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(300))
                    .until(() -> withoutBadItems(t).matches());
            // The parked change survived the move: fixed and re-driven, the read model is exact, the bad item counted once.
            tally.fix();
            DeadLetters.RedriveResult r = new DeadLetters(dynamo, t.readModel(), t.application(), List.of(tally)).redrive(null);
            assertThat(r.redriven()).isEqualTo(1);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> verifier.verify(t.source(), t.readModel()).matches());
            VerificationResult end = verifier.verify(t.source(), t.readModel());
            assertThat(end.differences()).isEmpty();
            assertThat(end.actualItems()).isGreaterThan(3);
            // It resumed at the moved watermarks: it did not take the whole stream up again.
            assertThat(second.stats().eventsSeen()).isLessThan(writer.written());
        }
    }

    // ---

    /** The recomputation without the items whose change is parked (they reach the read model only when re-driven). */
    private VerificationResult withoutBadItems(TestDynamo.Setup... setups) {
        List<String> sources = new ArrayList<>();
        for (TestDynamo.Setup s : setups) {
            sources.add(s.source());
        }
        return new ReadModelVerifier(dynamo, List.of(new FragileTally().skippingBad()), "type").verify(sources, setups[0].readModel());
    }

    private List<DeadLetter> letters(TestDynamo.Setup t) {
        return new DeadLetters(dynamo, t.readModel(), t.application(), List.of(new FragileTally())).list(null);
    }

    /** Shard to sequence number, of one application's watermarks of the tally projection. */
    private Map<String, String> watermarks(EngineKeys keys, String readModel) {
        Map<String, String> out = new TreeMap<>();
        partition(readModel, keys.watermarkPartition("tally")).forEach(i -> out.put(i.get("SK").s(), i.get("seq").s()));
        return out;
    }

    private List<Map<String, AttributeValue>> partition(String table, String pk) {
        return dynamo.query(b -> b.tableName(table).consistentRead(true).keyConditionExpression("PK = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)))).items();
    }

    private List<String> engineItems(String table) {
        return dynamo.scanPaginator(b -> b.tableName(table).consistentRead(true)).items().stream()
                .map(i -> i.get("PK").s()).filter(pk -> pk.startsWith(EngineKeys.RESERVED_PREFIX)).toList();
    }

    /** Moves the application's engine items to the keys of the version before, as it would have written them. */
    private int downgrade(String table, EngineKeys keys) {
        int n = 0;
        for (Map<String, AttributeValue> item : dynamo.scanPaginator(b -> b.tableName(table).consistentRead(true)).items()) {
            String pk = item.get("PK").s();
            if (pk.startsWith(keys.prefix())) {
                Map<String, AttributeValue> old = new HashMap<>(item);
                old.put("PK", AttributeValue.fromS(EngineKeys.RESERVED_PREFIX + pk.substring(keys.prefix().length())));
                dynamo.putItem(b -> b.tableName(table).item(old));
                dynamo.deleteItem(b -> b.tableName(table).key(Map.of("PK", item.get("PK"), "SK", item.get("SK"))));
                n++;
            }
        }
        return n;
    }

    private void putOld(String table, String pk, String sk, Map<String, AttributeValue> attributes) {
        Map<String, AttributeValue> item = new HashMap<>(attributes);
        item.put("PK", AttributeValue.fromS(pk));
        item.put("SK", AttributeValue.fromS(sk));
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    /** Things per group, as {@link TallyProjection} counts them, failing on items whose value is {@value #BAD} until fixed. */
    static final class FragileTally implements Projection {
        static final String BAD = "bad";
        private static final TallyProjection TALLY = new TallyProjection();
        private final AtomicBoolean broken = new AtomicBoolean(true);
        private boolean skipBad;

        void fix() {
            broken.set(false);
        }

        /** For the recomputation of what is applied while the bad item's change is parked. */
        FragileTally skippingBad() {
            skipBad = true;
            return this;
        }

        @Override
        public String name() {
            return TALLY.name();
        }

        @Override
        public Set<String> entityTypes() {
            return TALLY.entityTypes();
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            boolean bad = event.newImage().map(i -> BAD.equals(i.string("value"))).orElse(false);
            if (bad && skipBad) {
                return List.of();
            }
            if (bad && broken.get()) {
                throw new IllegalStateException("cannot count a bad thing");
            }
            return TALLY.project(event);
        }
    }
}
