package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.FailurePolicy;
import io.projector.Item;
import io.projector.SequenceNumber;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.commit.ReadModelBreaker;
import io.projector.internal.commit.RetryPolicy;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.plan.TransactionLimits;
import io.projector.internal.shard.EngineCounters;
import io.projector.internal.shard.HandOffSource;
import io.projector.internal.shard.ShardProjector;
import io.projector.internal.shard.ShardReporter;
import io.projector.internal.store.DeadLetterStore;
import io.projector.internal.store.ShardStatusStore;
import io.projector.internal.store.WatermarkStore;
import io.projector.ops.ReadModelStatus;
import io.projector.worker.ProjectorConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A shard halted on a change it cannot project keeps its unapplied changes only as long as the
 * stream does (24 h from when each was written): the status says how long is left, from the
 * oldest change the shard has not applied, on DynamoDB Local (no KCL).
 */
class HaltedShardStatusIT {

    private static final String SHARD = "shardId-halted";

    @Test
    void theStatusOfAHaltedShardSaysHowLongTheStreamKeepsItsOldestUnappliedChange() {
        TestDynamo.Setup t = TestDynamo.tables("halted-status");
        DynamoDbClient dynamo = TestDynamo.client();
        ProjectorConfig config = t.config().build();
        Clock clock = Clock.systemUTC();
        WatermarkStore watermarks = new WatermarkStore(dynamo, t.readModel(), EngineKeys.of(t.application()));
        DeadLetterStore deadLetters = new DeadLetterStore(dynamo, t.readModel(), EngineKeys.of(t.application()));
        RedriveIT.SwitchProjection halting = new RedriveIT.SwitchProjection("halting", FailurePolicy.HALT);
        ShardProjector shard = new ShardProjector(SHARD, List.of("halting"), new ChunkPlanner(List.of(halting), TransactionLimits.DYNAMODB),
                new ChunkCommitter(dynamo, t.readModel(), watermarks, deadLetters, clock), watermarks, deadLetters,
                RetryPolicy.create("halted-it", config), ReadModelBreaker.create(config), new EngineCounters(), () -> false, clock,
                HandOffSource.NONE, new ShardReporter(new ShardStatusStore(dynamo, t.readModel(), EngineKeys.of(t.application())), t.application(), SHARD, "worker-1", clock));
        shard.initialize();
        // The worker fell 5 hours behind; the first change it cannot apply was written 5 h ago, the failing one a bit later.
        Instant written = clock.instant().minus(Duration.ofHours(5));
        ChangeEvent good = thing("G", false, 9_100_000_000_000_000_001L, written);
        ChangeEvent bad = thing("K", true, 9_100_000_000_000_000_002L, written.plusSeconds(60));
        assertThatThrownBy(() -> shard.process(List.of(good, bad))).hasMessageContaining("policy: halt");
        shard.halted("projection 'halting' failed");

        List<ReadModelStatus.ProjectionLine> status = ReadModelStatus.read(dynamo, t.readModel(), t.application(), List.of("halting"), clock.millis());

        ReadModelStatus.ShardLine line = status.get(0).shards().stream().filter(s -> s.shardId().equals(SHARD)).findFirst().orElseThrow();
        assertThat(line.state()).isEqualTo("halted");
        assertThat(line.untilTrimmed()).as("24 h from the oldest change not applied (the good one, uncommitted with the bad)")
                .isBetween(Duration.ofHours(19).minusMinutes(2), Duration.ofHours(19));
    }

    private static ChangeEvent thing(String id, boolean fragile, long seq, Instant written) {
        Map<String, AttributeValue> image = new java.util.HashMap<>(Map.of("PK", AttributeValue.fromS(id), "SK", AttributeValue.fromS("THING"),
                "type", AttributeValue.fromS("Thing"), "value", AttributeValue.fromS(id.toLowerCase())));
        if (fragile) {
            image.put("fragile", AttributeValue.fromBool(true));
        }
        return new ChangeEvent(ChangeType.INSERT, Item.of(Map.of("PK", AttributeValue.fromS(id), "SK", AttributeValue.fromS("THING"))),
                Optional.empty(), Optional.of(Item.of(image)), "Thing", SequenceNumber.of(seq), written);
    }
}
