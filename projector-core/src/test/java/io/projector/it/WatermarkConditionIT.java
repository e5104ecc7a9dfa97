package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.retry.Retry;
import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.SequenceNumber;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.commit.ReadModelBreaker;
import io.projector.internal.commit.RetryPolicy;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.plan.TransactionLimits;
import io.projector.internal.shard.EngineCounters;
import io.projector.internal.shard.ShardProjector;
import io.projector.internal.store.DeadLetterStore;
import io.projector.internal.store.WatermarkStore;
import io.projector.worker.ProjectorConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The watermark rule against real DynamoDB Local, without the KCL: two processors of one shard
 * (a stale owner and the new one) commit the same records; each record takes effect once.
 */
class WatermarkConditionIT {

    private final TestDynamo.Setup t = TestDynamo.tables("watermark");
    private final WatermarkStore store = new WatermarkStore(TestDynamo.client(), t.readModel(), EngineKeys.of(t.application()));
    private final DeadLetterStore deadLetters = new DeadLetterStore(TestDynamo.client(), t.readModel(), EngineKeys.of(t.application()));
    private final ChunkCommitter committer = new ChunkCommitter(TestDynamo.client(), t.readModel(), store, deadLetters, Clock.systemUTC());
    private final ProjectorConfig config = t.config().build();

    @Test
    void aStaleOwnerReplayingCommittedRecordsChangesNothing() {
        List<ChangeEvent> events = inserts(60);
        EngineCounters firstCounters = new EngineCounters();
        EngineCounters staleCounters = new EngineCounters();
        ShardProjector first = projector("shard-1", firstCounters, new TransactionLimits(10, 1_000_000));
        ShardProjector stale = projector("shard-1", staleCounters, new TransactionLimits(10, 1_000_000));
        first.initialize();
        stale.initialize();

        first.process(events);
        stale.process(events);

        assertThat(count("g0")).isEqualTo(15);
        assertThat(staleCounters.chunksAlreadyApplied.sum()).isEqualTo(1);
        assertThat(staleCounters.itemWrites.sum()).isZero();
        assertThat(store.load("shard-1", List.of("copy"))).containsEntry("copy", events.get(59).sequenceNumber());
    }

    @Test
    void aStaleOwnerAppliesOnlyWhatIsBeyondTheWatermark() {
        List<ChangeEvent> events = inserts(60);
        EngineCounters staleCounters = new EngineCounters();
        ShardProjector first = projector("shard-2", new EngineCounters(), TransactionLimits.DYNAMODB);
        ShardProjector stale = projector("shard-2", staleCounters, TransactionLimits.DYNAMODB);
        first.initialize();
        stale.initialize();

        first.process(events.subList(0, 25));
        stale.process(events);

        for (int g = 0; g < 4; g++) {
            assertThat(count("g" + g)).as("group g" + g).isEqualTo(15);
        }
        assertThat(staleCounters.chunksAlreadyApplied.sum()).isEqualTo(1);
        assertThat(staleCounters.chunksCommitted.sum()).isGreaterThan(0);
    }

    @Test
    void watermarksAreKeptPerProjectionAndShard() {
        List<ChangeEvent> events = inserts(8);
        projector("shard-a", new EngineCounters(), TransactionLimits.DYNAMODB).process(events.subList(0, 3));
        projector("shard-b", new EngineCounters(), TransactionLimits.DYNAMODB).process(events.subList(3, 8));

        assertThat(store.load("shard-a", List.of("copy", "other"))).isEqualTo(Map.of("copy", events.get(2).sequenceNumber()));
        assertThat(store.load("shard-b", List.of("copy"))).isEqualTo(Map.of("copy", events.get(7).sequenceNumber()));
    }

    private ShardProjector projector(String shard, EngineCounters counters, TransactionLimits limits) {
        CopyProjection projection = new CopyProjection();
        Retry retry = RetryPolicy.create("test", config);
        return new ShardProjector(shard, List.of(projection.name()), new ChunkPlanner(List.of(projection), limits),
                committer, store, deadLetters, retry, ReadModelBreaker.create(config), counters, () -> false, Clock.systemUTC());
    }

    private long count(String group) {
        Map<String, AttributeValue> item = TestDynamo.get(t.readModel(), "GROUP#" + group, "SUM");
        return item.containsKey("count") ? Long.parseLong(item.get("count").n()) : 0;
    }

    /** Inserts of distinct things spread over groups g0..g3, with sequence numbers of varying length. */
    private static List<ChangeEvent> inserts(int n) {
        List<ChangeEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, AttributeValue> image = Map.of(
                    "PK", AttributeValue.fromS("T#" + i), "SK", AttributeValue.fromS("THING"), "type", AttributeValue.fromS("Thing"),
                    "group", AttributeValue.fromS("g" + (i % 4)), "value", AttributeValue.fromS("v" + i), "amount", AttributeValue.fromN("1"));
            Item item = Item.of(image, "new image of T#" + i);
            events.add(new ChangeEvent(ChangeType.INSERT, item, Optional.empty(), Optional.of(item), "Thing",
                    SequenceNumber.parse(Long.toString(95 + (long) i * 7)), Instant.now()));
        }
        return events;
    }
}
