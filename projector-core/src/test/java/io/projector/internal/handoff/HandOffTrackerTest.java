package io.projector.internal.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.SequenceNumber;
import io.projector.internal.plan.AppliedVersion;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.HandOff;
import io.projector.internal.plan.InMemoryReadModel;
import io.projector.internal.plan.MarkerKey;
import io.projector.internal.plan.ParkingLot;
import io.projector.internal.plan.SourceKeys;
import io.projector.internal.plan.TransactionLimits;
import io.projector.internal.store.BackfillStore;
import io.projector.it.CopyProjection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The end of a hand-off on one shard, case by case, through the real tracker and planner over an in-memory ledger. */
class HandOffTrackerTest {

    private static final String SHARD = "shard-1";
    private final HandOffEndProperties.ManualClock clock = new HandOffEndProperties.ManualClock();
    private final InMemoryHandOffLedger ledger = new InMemoryHandOffLedger("copy", () -> List.of(SHARD));
    private final ChunkPlanner planner = new ChunkPlanner(List.of(new CopyProjection()), TransactionLimits.DYNAMODB);
    private final InMemoryReadModel readModel = new InMemoryReadModel();

    @Test
    void changesTheRuleSkippedAreNotAppliedAgainWhenRedeliveredAfterTheEnd() {
        clock.now = 1_000;
        register(BackfillStore.Status.RUNNING, 0);
        HandOffTracker first = tracker();
        // The scan read the item at version 2 before the stream's changes up to it were consumed.
        ledger.markers.put(new MarkerKey("copy", SourceKeys.of(keys().asMap())), AppliedVersion.present(java.math.BigDecimal.valueOf(2)));
        readModel.apply(new CopyProjection().project(insert(2, 0)).get(0));
        readModel.apply(new CopyProjection().project(insert(2, 0)).get(1));
        List<ChangeEvent> stream = List.of(insert(1, 10), modify(1, 2, 11));
        process(first, stream);
        assertThat(count()).isEqualTo(1);

        register(BackfillStore.Status.COMPLETE, 2_000);
        clock.now = 20_000;
        first.refresh(ledger.watermarks(SHARD));
        first.atTip();
        assertThat(ledger.retired()).as("the end is recorded, and the registration retired with it").isTrue();
        assertThat(ledger.joins).isEmpty();

        // A restart from an older checkpoint delivers both changes again; no rule judges them now.
        HandOffTracker second = tracker();
        assertThat(second.active()).isEmpty();
        process(second, stream);
        assertThat(count()).as("the item counted once").isEqualTo(1);
    }

    @Test
    void aRecordedEndHoldsForANewProcessorWhileTheRegistrationStays() {
        clock.now = 1_000;
        register(BackfillStore.Status.COMPLETE, 500);
        ledger.joins.add("other-shard");
        HandOffTracker first = tracker();
        assertThat(first.active()).containsExactly("copy");
        clock.now = 10_000;
        first.atTip();
        assertThat(ledger.ended).containsExactly(SHARD);
        assertThat(ledger.retired()).as("another shard has not ended").isFalse();

        HandOffTracker second = tracker();
        assertThat(second.active()).isEmpty();
        assertThat(second.anyActive()).isFalse();
    }

    @Test
    void aShardOpenedAfterTheEndNeverJoinsAndEndsAtItsFirstChange() {
        clock.now = 100_000;
        register(BackfillStore.Status.COMPLETE, 1_000);
        ledger.joins.add("parent");
        HandOffTracker child = tracker();
        assertThat(ledger.joins).doesNotContain(SHARD);
        List<ChangeEvent> events = List.of(insert(1, 90), modify(1, 2, 91), remove(2, 92));
        process(child, events);
        assertThat(ledger.joins).doesNotContain(SHARD);
        assertThat(ledger.ended).contains(SHARD);
        assertThat(count()).isZero();
        assertThat(readModel.items().keySet()).noneMatch(k -> k.pk().startsWith("COPY#"));
    }

    private HandOffTracker tracker() {
        HandOffTracker t = new HandOffTracker(SHARD, "w", Map.of("copy", Set.of("Thing")), ledger, Duration.ofSeconds(2), clock);
        t.refresh(ledger.watermarks(SHARD));
        return t;
    }

    private void register(BackfillStore.Status status, long finishedAt) {
        ledger.registrations.put("copy", new BackfillStore.Registration("copy", status, "version", "backfill", 0, 0, finishedAt, 0, 0, 0));
    }

    /** As a shard projector does: plan with the hand-off, commit, tell the tracker. */
    private void process(HandOffTracker tracker, List<ChangeEvent> events) {
        HandOff handOff = tracker.anyActive() ? tracker.view(events) : HandOff.NONE;
        for (Chunk chunk : planner.plan(events, ledger.watermarks(SHARD), ParkingLot.empty(), null, handOff)) {
            assertThat(chunk.parked()).isEmpty();
            chunk.mutations().values().forEach(readModel::apply);
            chunk.markers().forEach(w -> ledger.markers.put(w.key(), w.next()));
            chunk.watermarks().values().forEach(w -> ledger.watermarks.put(SHARD, w.to()));
        }
        if (tracker.anyActive()) {
            tracker.processed(events);
        }
    }

    private long count() {
        Map<String, AttributeValue> group = readModel.get(ItemKey.of("GROUP#g0", "SUM"));
        return group == null ? 0 : Long.parseLong(group.get("count").n());
    }

    private static Item keys() {
        return Item.of(Map.of("PK", AttributeValue.fromS("T#1"), "SK", AttributeValue.fromS("1")));
    }

    private static Map<String, AttributeValue> image(long version) {
        return Map.of("PK", AttributeValue.fromS("T#1"), "SK", AttributeValue.fromS("1"), "type", AttributeValue.fromS("Thing"),
                "group", AttributeValue.fromS("g0"), "value", AttributeValue.fromS("v" + version),
                "amount", AttributeValue.fromN("1"), "version", AttributeValue.fromN(Long.toString(version)));
    }

    private static ChangeEvent insert(long version, long seconds) {
        return new ChangeEvent(ChangeType.INSERT, keys(), Optional.empty(), Optional.of(Item.of(image(version))), "Thing",
                SequenceNumber.of(100 + seconds), Instant.ofEpochSecond(seconds));
    }

    private static ChangeEvent modify(long from, long to, long seconds) {
        return new ChangeEvent(ChangeType.MODIFY, keys(), Optional.of(Item.of(image(from))), Optional.of(Item.of(image(to))), "Thing",
                SequenceNumber.of(100 + seconds), Instant.ofEpochSecond(seconds));
    }

    private static ChangeEvent remove(long version, long seconds) {
        return new ChangeEvent(ChangeType.REMOVE, keys(), Optional.of(Item.of(image(version))), Optional.empty(), "Thing",
                SequenceNumber.of(100 + seconds), Instant.ofEpochSecond(seconds));
    }
}
