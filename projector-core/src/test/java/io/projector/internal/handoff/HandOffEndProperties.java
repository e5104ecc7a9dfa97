package io.projector.internal.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.SequenceNumber;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.HandOff;
import io.projector.internal.plan.HandOffRule;
import io.projector.internal.plan.InMemoryReadModel;
import io.projector.internal.plan.MarkerWrite;
import io.projector.internal.plan.ParkedChange;
import io.projector.internal.plan.ParkingLot;
import io.projector.internal.plan.TransactionLimits;
import io.projector.internal.plan.WatermarkAdvance;
import io.projector.internal.store.BackfillStore;
import io.projector.it.CopyProjection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The end of a hand-off, through the real planner, rule and {@link HandOffTracker} over an
 * in-memory ledger: a writer keeps changing a few items while a backfill scans them, the stream
 * rolls over onto new shards (processed parent first, as the KCL does), the worker restarts at
 * random (a new tracker, records redelivered from the last checkpoint), reads find the shard at
 * its tip, and the clock runs past the scan's end. Stream record times may be cut to a coarse
 * grain, as DynamoDB Local cuts them to the minute. Whatever happens, the read model ends equal to
 * a recomputation from the final items, nothing is parked, a shard whose end was recorded never
 * judges by the rule again, a shard opened after the end never joins, and the registration is
 * retired once every shard has ended.
 */
class HandOffEndProperties {

    private static final int ITEMS = 4;
    private static final String P = "copy";
    private static final CopyProjection PROJECTION = new CopyProjection();

    @Property(tries = 150)
    void aHandOffEndsOnceEverywhereAndStaysEnded(@ForAll long seed) {
        new World(new Random(seed)).run();
    }

    /** One random history. */
    private static final class World {
        final Random random;
        final ManualClock clock = new ManualClock();
        final InMemoryHandOffLedger ledger = new InMemoryHandOffLedger(P, () -> List.of(shardId(this.shards.size() - 1)));
        final ChunkPlanner planner = new ChunkPlanner(List.of(PROJECTION), TransactionLimits.DYNAMODB);
        final InMemoryReadModel readModel = new InMemoryReadModel();
        final List<ParkedChange> parked = new ArrayList<>();
        final Map<Integer, Map<String, AttributeValue>> state = new HashMap<>();
        final long[] versions = new long[ITEMS];
        final long margin;
        final long grain;
        /** Per shard (in creation order), its events; the last shard is the open one. */
        final List<List<ChangeEvent>> shards = new ArrayList<>();
        final List<Long> shardCreatedAt = new ArrayList<>();
        int sequence = 100;
        // The consumer: the shard it is on, how far it got there, its checkpoint, its tracker.
        int shard;
        int position;
        int checkpoint;
        HandOffTracker tracker;
        // The scan: items still to read, reads waiting to commit.
        final List<Integer> toRead = new ArrayList<>();
        final List<ChangeEvent> toCommit = new ArrayList<>();
        boolean scanDone;
        long finishedAt;

        World(Random random) {
            this.random = random;
            this.margin = random.nextInt(3) * 1_000L;
            this.grain = random.nextBoolean() ? 1 : 60_000;
            clock.now = 1_000_000 + random.nextInt(60_000);
            for (int i = 0; i < ITEMS; i++) {
                if (random.nextBoolean()) {
                    versions[i] = random.nextInt(3);
                    state.put(i, image(i, versions[i]));
                }
                toRead.add(i);
            }
            ledger.registrations.put(P, new BackfillStore.Registration(P, BackfillStore.Status.RUNNING, "version", "backfill",
                    clock.now, clock.now, 0, 0, 0, 0));
            openShard();
            startProcessor();
        }

        void run() {
            // While the scan runs, and then after its end: live traffic, restarts, rollovers.
            steps(5 + random.nextInt(25), true);
            while (!scanDone) {
                scanStep();
            }
            clock.now = Math.max(clock.now, finishedAt + margin) + random.nextInt(3_000);
            steps(5 + random.nextInt(25), false);
            // Drain: the consumer reads everything, well past the end and the trackers' next reading of the registration.
            clock.now += 10_001 + random.nextInt(5_000);
            for (int guard = 0; guard < 1_000 && !(caughtUp() && tracker.active().isEmpty()); guard++) {
                consume();
            }
            consume();

            InMemoryReadModel expected = new InMemoryReadModel();
            state.forEach((i, item) -> PROJECTION.project(new ChangeEvent(ChangeType.INSERT, keys(i), Optional.empty(),
                    Optional.of(Item.of(item)), "Thing", SequenceNumber.of(1), Instant.EPOCH)).forEach(expected::apply));
            assertThat(parked).isEmpty();
            assertThat(withoutZeros(readModel)).isEqualTo(withoutZeros(expected));
            assertThat(ledger.retired()).as("retired once every shard ended").isTrue();
            for (int s = 0; s < shards.size(); s++) {
                if (shardCreatedAt.get(s) > finishedAt + margin) {
                    assertThat(ledger.joins).as("shard %d, opened after the end", s).doesNotContain(shardId(s));
                }
            }
        }

        void steps(int writes, boolean scanning) {
            for (int step = 0; step < 300 && (writes > 0 || (scanning && !scanDone)); step++) {
                int dice = random.nextInt(100);
                if (dice < 30 && writes > 0) {
                    write();
                    writes--;
                } else if (dice < 55) {
                    consume();
                } else if (dice < 70 && scanning && !scanDone) {
                    scanStep();
                } else if (dice < 78) {
                    restart();
                } else if (dice < 83) {
                    openShard();
                } else {
                    clock.now += random.nextInt(4_000);
                }
            }
        }

        boolean caughtUp() {
            return shard == shards.size() - 1 && position == shards.get(shard).size();
        }

        void write() {
            clock.now += random.nextInt(2_000);
            int i = random.nextInt(ITEMS);
            Map<String, AttributeValue> before = state.get(i);
            Map<String, AttributeValue> after = before != null && random.nextInt(4) == 0 ? null : image(i, ++versions[i]);
            if (before == null && after == null) {
                return;
            }
            if (after == null) {
                state.remove(i);
            } else {
                state.put(i, after);
            }
            ChangeType type = before == null ? ChangeType.INSERT : after == null ? ChangeType.REMOVE : ChangeType.MODIFY;
            Instant stamped = Instant.ofEpochMilli(clock.now / grain * grain);
            shards.get(shards.size() - 1).add(new ChangeEvent(type, keys(i), Optional.ofNullable(before).map(Item::of),
                    Optional.ofNullable(after).map(Item::of), "Thing", SequenceNumber.of(sequence++), stamped));
        }

        /** One poll: a batch of what the shard holds past the position, an empty read at its tip, or the shard's end. */
        void consume() {
            List<ChangeEvent> events = shards.get(shard);
            if (position == events.size()) {
                if (shard < shards.size() - 1) {
                    if (tracker.anyActive()) {
                        tracker.shardFinished();
                    }
                    shard++;
                    position = 0;
                    checkpoint = 0;
                    startProcessor();
                } else {
                    refreshIfDue();
                    if (tracker.anyActive()) {
                        tracker.atTip();
                    }
                }
                return;
            }
            int batch = 1 + random.nextInt(Math.min(6, events.size() - position));
            List<ChangeEvent> polled = List.copyOf(events.subList(position, position + batch));
            refreshIfDue();
            HandOff handOff = tracker.anyActive() ? tracker.view(polled) : HandOff.NONE;
            apply(planner.plan(polled, ledger.watermarks(shardId(shard)), ParkingLot.empty(), null, handOff), shardId(shard));
            if (tracker.anyActive()) {
                tracker.processed(polled);
            }
            position += batch;
            if (random.nextInt(3) == 0) {
                checkpoint = position;
            }
        }

        void refreshIfDue() {
            if (tracker.refreshDue()) {
                tracker.refresh(ledger.watermarks(shardId(shard)));
            }
        }

        /** A new processor for the shard (a restart or lease move): it resumes from the checkpoint. */
        void restart() {
            position = checkpoint;
            startProcessor();
        }

        void startProcessor() {
            tracker = new HandOffTracker(shardId(shard), "w", Map.of(P, Set.of("Thing")), ledger, Duration.ofMillis(margin), clock);
            tracker.refresh(ledger.watermarks(shardId(shard)));
            if (ledger.ended.contains(shardId(shard))) {
                assertThat(tracker.active()).as("a recorded end holds for a new processor").isEmpty();
            }
        }

        void openShard() {
            shards.add(new ArrayList<>());
            shardCreatedAt.add(clock.now);
        }

        /** Reads an item now, or commits a read made earlier; the last commit completes the scan. */
        void scanStep() {
            if (!toRead.isEmpty() && (toCommit.isEmpty() || random.nextBoolean())) {
                int i = toRead.remove(random.nextInt(toRead.size()));
                Map<String, AttributeValue> read = state.get(i);
                if (read != null) {
                    toCommit.add(new ChangeEvent(ChangeType.INSERT, keys(i), Optional.empty(), Optional.of(Item.of(read)), "Thing",
                            SequenceNumber.of(1), Instant.EPOCH));
                }
            } else if (!toCommit.isEmpty()) {
                ChangeEvent scanned = toCommit.remove(random.nextInt(toCommit.size()));
                HandOff handOff = new HandOff(Map.of(P, new HandOffRule("version")), ledger.markers, true);
                apply(planner.plan(List.of(scanned), Map.of(), ParkingLot.empty(), null, handOff), null);
            }
            if (toRead.isEmpty() && toCommit.isEmpty() && !scanDone) {
                scanDone = true;
                finishedAt = clock.now;
                BackfillStore.Registration r = ledger.registrations.get(P);
                ledger.registrations.put(P, new BackfillStore.Registration(P, BackfillStore.Status.COMPLETE, r.versionAttribute(),
                        r.purpose(), r.createdAtMillis(), r.startedAtMillis(), clock.now, 0, 0, 0));
            }
        }

        /** Commits chunks as the committer would: writes, markers (checked against the plan's view), watermark. */
        void apply(List<Chunk> chunks, String shardId) {
            for (Chunk chunk : chunks) {
                for (WatermarkAdvance w : chunk.watermarks().values()) {
                    SequenceNumber stored = ledger.watermarks(shardId).get(w.projection());
                    assertThat(stored == null || w.firstApplied().isAfter(stored)).as("the watermark condition holds").isTrue();
                }
                chunk.mutations().values().forEach(readModel::apply);
                for (MarkerWrite w : chunk.markers()) {
                    assertThat(ledger.markers.get(w.key())).as("the marker condition holds").isEqualTo(w.expected());
                    ledger.markers.put(w.key(), w.next());
                }
                chunk.watermarks().values().forEach(w -> ledger.watermarks.put(shardId, w.to()));
                parked.addAll(chunk.parked());
            }
        }

        static String shardId(int s) {
            return "shard-" + s;
        }

        Map<String, AttributeValue> image(int i, long version) {
            Map<String, AttributeValue> item = new HashMap<>();
            item.put("PK", AttributeValue.fromS("T#" + i));
            item.put("SK", AttributeValue.fromS("1"));
            item.put("type", AttributeValue.fromS("Thing"));
            item.put("group", AttributeValue.fromS("g" + random.nextInt(2)));
            item.put("value", AttributeValue.fromS("v" + random.nextInt(100)));
            item.put("amount", AttributeValue.fromN(Integer.toString(1 + random.nextInt(9))));
            item.put("version", AttributeValue.fromN(Long.toString(version)));
            return item;
        }
    }

    static final class ManualClock extends Clock {
        long now;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }

        @Override
        public long millis() {
            return now;
        }
    }

    private static Item keys(int i) {
        return Item.of(Map.of("PK", AttributeValue.fromS("T#" + i), "SK", AttributeValue.fromS("1")));
    }

    /** A group counter back at zero is the same read model as no counter. */
    private static Map<ItemKey, Map<String, AttributeValue>> withoutZeros(InMemoryReadModel model) {
        Map<ItemKey, Map<String, AttributeValue>> out = new HashMap<>();
        model.items().forEach((k, v) -> {
            boolean allZero = k.pk().startsWith("GROUP#") && v.values().stream().allMatch(a -> a.n() != null && Double.parseDouble(a.n()) == 0);
            if (!allZero) {
                out.put(k, InMemoryReadModel.normalized(v));
            }
        });
        return out;
    }
}
