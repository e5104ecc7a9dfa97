package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.SequenceNumber;
import io.projector.Write;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.commit.ReadModelBreaker;
import io.projector.internal.commit.RetryPolicy;
import io.projector.internal.handoff.HandOffTracker;
import io.projector.internal.handoff.ScanHandOff;
import io.projector.internal.plan.ChangeEventDecoder;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.plan.HandOffRule;
import io.projector.internal.plan.InMemoryReadModel;
import io.projector.internal.plan.TransactionLimits;
import io.projector.internal.shard.EngineCounters;
import io.projector.internal.shard.ShardProjector;
import io.projector.internal.store.AppliedVersionStore;
import io.projector.internal.store.BackfillStore;
import io.projector.internal.store.DeadLetterStore;
import io.projector.internal.store.WatermarkStore;
import io.projector.ops.DeadLetter;
import io.projector.ops.DeadLetters;
import io.projector.worker.ProjectorConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Re-driving changes parked during a backfill hand-off, on DynamoDB Local with the engine's own
 * stream and scan sides (driven directly, no KCL). A projection with counters fails on some items
 * while the scan and the stream both work on them, so both park letters: the stream parks an
 * item's change and the scan then parks its read of the same item (waiting behind it); the scan
 * parks an item the stream then applies a newer change of. After the fix, a re-drive must keep the
 * hand-off rule and put each item's letters where they really stand: the read model ends equal to
 * the recomputation from the source, counters included, nothing applied twice.
 */
class HandOffRedriveIT {

    private static final String SHARD = "shardId-handoff-redrive";

    private final TestDynamo.Setup t = TestDynamo.tables("handoff-redrive");
    private final DynamoDbClient dynamo = TestDynamo.client();
    private final ProjectorConfig config = t.config().build();
    private final WatermarkStore watermarks = new WatermarkStore(dynamo, t.readModel(), EngineKeys.of(t.application()));
    private final DeadLetterStore deadLetters = new DeadLetterStore(dynamo, t.readModel(), EngineKeys.of(t.application()));
    private final AppliedVersionStore markers = new AppliedVersionStore(dynamo, t.readModel(), EngineKeys.of(t.application()));
    private final BackfillStore backfills = new BackfillStore(dynamo, t.readModel(), EngineKeys.of(t.application()));
    private final Clock clock = Clock.systemUTC();
    private final ChunkCommitter committer = new ChunkCommitter(dynamo, t.readModel(), watermarks, deadLetters, clock);
    private final Retry retry = RetryPolicy.create("handoff-redrive-it", config);
    private final CircuitBreaker breaker = ReadModelBreaker.create(config);
    private final BreakableCopy projection = new BreakableCopy();
    private final ChunkPlanner planner = new ChunkPlanner(List.of(projection), TransactionLimits.DYNAMODB);
    private final Map<String, Map<String, AttributeValue>> source = new HashMap<>();
    private long seq = 7_300_000_000_000_000_000L;

    @Test
    void redriveAfterAHandOffKeepsTheRuleAndOrdersEachItemsLettersByWhereTheyStand() {
        // The table before the stream: four items at version 1; D is one the broken projection fails on.
        put("A", 1, "a1");
        put("B", 1, "b1");
        put("C", 1, "c1");
        put("D", 1, "bad-d1");
        backfills.register(projection.name(), "version", "backfill", clock.millis());
        ShardProjector stream = new ShardProjector(SHARD, List.of(projection.name()), planner, committer, watermarks, deadLetters,
                retry, breaker, new EngineCounters(), () -> false, clock,
                new HandOffTracker(SHARD, "worker-1", Map.of(projection.name(), projection.entityTypes()),
                        new io.projector.internal.store.StoredHandOffLedger(backfills, watermarks, markers, () -> List.of(SHARD)),
                        Duration.ofMinutes(5), clock), null);
        stream.initialize();
        assertThat(backfills.shardState(projection.name(), SHARD)).isEqualTo(io.projector.internal.store.HandOffLedger.ShardState.JOINED);

        // The stream: B's change fails and is parked, its next one waits behind it; C's is applied.
        stream.process(List.of(modify("B", 2, "bad-b2"), modify("B", 3, "b3"), modify("C", 2, "c2")));

        // The scan reads every item now: A is applied; B waits behind its parked change; C was applied by the stream; D fails.
        ShardProjector scan = new ShardProjector("backfill-0", List.of(projection.name()), planner, committer, watermarks, deadLetters,
                retry, breaker, new EngineCounters(), () -> false, clock,
                new ScanHandOff(markers, Map.of(projection.name(), new HandOffRule("version")),
                        Map.of(projection.name(), projection.entityTypes())), null);
        scan.initialize();
        ChangeEventDecoder decoder = new ChangeEventDecoder("type");
        List<ChangeEvent> page = new ArrayList<>();
        for (String id : List.of("A", "B", "C", "D")) {
            page.add(decoder.fromScan(source.get(id), List.of("PK", "SK"), SequenceNumber.of(page.size() + 1), clock.instant()));
        }
        scan.process(page);

        // The stream has not looked at the store since D was parked by the scan: it applies D's next change.
        stream.process(List.of(modify("D", 2, "d2")));

        List<DeadLetter> parked = letters().list(projection.name());
        assertThat(parked).extracting(DeadLetter::sourceKey)
                .containsExactlyInAnyOrder("PK=B|SK=THING", "PK=B|SK=THING", "PK=B|SK=THING", "PK=D|SK=THING");
        assertThat(copy("A")).contains("a1");
        assertThat(copy("B")).isEmpty();
        assertThat(copy("D")).contains("d2");

        assertThat(parked).allSatisfy(d -> assertThat(d.handOffVersionAttribute()).contains("version"));
        assertThat(parked).filteredOn(DeadLetter::scanned).extracting(DeadLetter::sourceKey)
                .containsExactlyInAnyOrder("PK=B|SK=THING", "PK=D|SK=THING");
        projection.broken = false;

        // Past the markers' 30 days a hand-off letter is refused with the reason, and nothing is applied.
        Clock later = Clock.offset(clock, Duration.ofDays(30));
        assertThat(new DeadLetters(dynamo, t.readModel(), t.application(), List.of(projection), later).redrive(null))
                .isEqualTo(new DeadLetters.RedriveResult(0, 2, 2, 0));
        assertThat(letters().list(projection.name())).filteredOn(d -> d.errorType().equals("RedriveFailed"))
                .allSatisfy(d -> assertThat(d.reason()).contains("hand-off marker may have expired").doesNotContain("\n"));
        assertThat(copy("B")).isEmpty();

        DeadLetters.RedriveResult result = letters().redrive(null);

        assertThat(result).isEqualTo(new DeadLetters.RedriveResult(4, 0, 0, 0));
        assertThat(letters().list(null)).isEmpty();
        assertThat(copy("B")).contains("b3");
        assertThat(copy("D")).as("D's parked scan read is older than what the stream applied").contains("d2");
        assertThat(readModel()).as("the read model against the recomputation from the source, counters included")
                .isEqualTo(recomputation());
    }

    private DeadLetters letters() {
        return new DeadLetters(dynamo, t.readModel(), t.application(), List.of(projection));
    }

    private void put(String id, long version, String value) {
        Map<String, AttributeValue> item = image(id, version, value);
        dynamo.putItem(b -> b.tableName(t.source()).item(item));
        source.put(id, item);
    }

    private ChangeEvent modify(String id, long version, String value) {
        Map<String, AttributeValue> before = source.get(id);
        put(id, version, value);
        seq += 1_000 + (seq % 7);
        return new ChangeEvent(ChangeType.MODIFY, Item.of(Map.of("PK", before.get("PK"), "SK", before.get("SK"))),
                java.util.Optional.of(Item.of(before)), java.util.Optional.of(Item.of(source.get(id))), "Thing",
                SequenceNumber.parse(Long.toString(seq)), Instant.now());
    }

    private static Map<String, AttributeValue> image(String id, long version, String value) {
        return Map.of("PK", AttributeValue.fromS(id), "SK", AttributeValue.fromS("THING"), "type", AttributeValue.fromS("Thing"),
                "group", AttributeValue.fromS("g"), "value", AttributeValue.fromS(value),
                "amount", AttributeValue.fromN(Long.toString(10 * version)), "version", AttributeValue.fromN(Long.toString(version)));
    }

    private java.util.Optional<String> copy(String id) {
        Map<String, AttributeValue> item = TestDynamo.get(t.readModel(), "COPY#" + id + "#THING", "COPY");
        return item.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(item.get("value").s());
    }

    /** The projection's items in the read-model table (not the engine's). */
    private Map<ItemKey, Map<String, AttributeValue>> readModel() {
        Map<ItemKey, Map<String, AttributeValue>> out = new HashMap<>();
        dynamo.scanPaginator(b -> b.tableName(t.readModel()).consistentRead(true)).items().forEach(i -> {
            ItemKey key = ItemKey.of(i.get("PK").s(), i.get("SK").s());
            if (!key.pk().startsWith(EngineKeys.RESERVED_PREFIX)) {
                Map<String, AttributeValue> attributes = new HashMap<>(i);
                attributes.remove("PK");
                attributes.remove("SK");
                out.put(key, InMemoryReadModel.normalized(attributes));
            }
        });
        return out;
    }

    private Map<ItemKey, Map<String, AttributeValue>> recomputation() {
        InMemoryReadModel expected = new InMemoryReadModel();
        source.values().forEach(item -> projection.project(new ChangeEvent(ChangeType.INSERT,
                Item.of(Map.of("PK", item.get("PK"), "SK", item.get("SK"))), java.util.Optional.empty(), java.util.Optional.of(Item.of(item)),
                "Thing", SequenceNumber.of(1), Instant.EPOCH)).forEach(expected::apply));
        Map<ItemKey, Map<String, AttributeValue>> out = new HashMap<>();
        expected.items().forEach((k, v) -> out.put(k, InMemoryReadModel.normalized(v)));
        return out;
    }

    /** {@link CopyProjection} (copies and per-group counters), failing while broken on values starting with "bad". */
    static final class BreakableCopy implements Projection {
        private final CopyProjection copy = new CopyProjection();
        volatile boolean broken = true;

        @Override
        public String name() {
            return "breakable-copy";
        }

        @Override
        public Set<String> entityTypes() {
            return copy.entityTypes();
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            if (broken && event.latestImage().string("value").startsWith("bad")) {
                throw new IllegalStateException("cannot project " + event.latestImage().string("value"));
            }
            return copy.project(event);
        }
    }
}
