package io.projector.internal.shard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Running totals of one worker, shared by its shards, and the same figures as Micrometer meters in
 * the worker's {@link MeterRegistry} (names under {@code projector.}; see the README's table).
 */
public final class EngineCounters {
    public final LongAdder eventsSeen = new LongAdder();
    public final LongAdder chunksCommitted = new LongAdder();
    public final LongAdder itemWrites = new LongAdder();
    public final LongAdder watermarkWrites = new LongAdder();
    /** Hand-off markers written: during a backfill, the (projection, item) pairs it applied. */
    public final LongAdder markerWrites = new LongAdder();
    /** Write capacity units DynamoDB reported for the committed transactions (ReturnConsumedCapacity TOTAL). */
    public final DoubleAdder consumedWriteUnits = new DoubleAdder();
    public final LongAdder chunksAlreadyApplied = new LongAdder();
    public final LongAdder transientFailures = new LongAdder();
    public final LongAdder parked = new LongAdder();
    public final LongAdder breakerWaits = new LongAdder();
    /** Retried read-model calls (each attempt after the first). */
    public final LongAdder retries = new LongAdder();
    /** Commits cancelled because another transaction held one of their items (a hot item shared by shards). */
    public final LongAdder conflicts = new LongAdder();
    /** Guarded writes refused by their condition: the item held the change already (a resend, a stale owner). */
    public final LongAdder guardedRefused = new LongAdder();
    /** Epoch millis of the newest change whose writes were committed. */
    public final AtomicLong lastCommittedEventMillis = new AtomicLong();

    private final MeterRegistry registry;
    private final Timer commitLatency;
    private final Map<String, Counter> parkedByProjection = new ConcurrentHashMap<>();
    private final Map<String, ShardMeters> shards = new ConcurrentHashMap<>();

    /** Counters whose meters go to a private in-memory registry (tests, tools). */
    public EngineCounters() {
        this(new SimpleMeterRegistry());
    }

    public EngineCounters(MeterRegistry registry) {
        this.registry = registry;
        counter("projector.records.processed", eventsSeen, "stream records handed to the engine, redeliveries included");
        counter("projector.commits", chunksCommitted, "read-model transactions committed");
        counter("projector.item.writes", itemWrites, "read-model items written by committed transactions");
        counter("projector.watermark.writes", watermarkWrites, "watermark items written by committed transactions");
        counter("projector.handoff.marker.writes", markerWrites, "backfill hand-off markers written by committed transactions");
        FunctionCounter.builder("projector.write.units", consumedWriteUnits, DoubleAdder::sum)
                .description("write capacity units DynamoDB reported for committed read-model transactions (DynamoDB Local's figure is not AWS's)")
                .register(registry);
        counter("projector.commits.already.applied", chunksAlreadyApplied, "commits skipped because their records were already applied");
        counter("projector.retries", retries, "read-model calls retried after a transient failure");
        counter("projector.transient.failures", transientFailures, "rounds of retries that ran out; the shard waited and tried again");
        counter("projector.commit.conflicts", conflicts, "commits cancelled by a transaction conflict on a shared item; the shard backed off and committed a smaller chunk");
        counter("projector.guarded.refused", guardedRefused, "guarded writes refused by their condition because the item already "
                + "held the change (a window sent again after a crash or by a stale lease owner); each is billed as a write");
        counter("projector.breaker.waits", breakerWaits, "times a shard waited for the open circuit breaker");
        this.commitLatency = Timer.builder("projector.commit.latency")
                .description("duration of one read-model transaction attempt (TransactWriteItems)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    private void counter(String name, LongAdder adder, String description) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Makes the parked counter of a projection visible at 0 before anything is parked. */
    public void registerProjection(String projection) {
        parkedCounter(projection);
    }

    /** One change parked for a projection ({@code *}: for none). */
    public void parked(String projection) {
        parked.increment();
        parkedCounter(projection).increment();
    }

    private Counter parkedCounter(String projection) {
        return parkedByProjection.computeIfAbsent(projection, p -> Counter.builder("projector.parked")
                .description("changes put into the dead-letter store, per projection (* = none saw it)")
                .tag("projection", p).register(registry));
    }

    /** Times one commit attempt. */
    public <T> T timeCommit(Supplier<T> commit) {
        return commitLatency.record(commit);
    }

    /** The lag gauges of a shard this worker took; {@link #releaseShard} removes them. */
    public ShardMeters shard(String shardId) {
        return shards.computeIfAbsent(shardId, id -> new ShardMeters(registry, id));
    }

    public void releaseShard(String shardId) {
        ShardMeters meters = shards.remove(shardId);
        if (meters != null) {
            meters.meters.forEach(registry::remove);
        }
    }

    /** How far behind the stream one shard is, and how long its batch in flight has run. */
    public static final class ShardMeters {
        private final AtomicLong lastCreationMillis = new AtomicLong();
        private final AtomicLong lagMillis = new AtomicLong();
        /** When the batch in flight began, and the creation time of its oldest record; 0 between batches. */
        private final AtomicLong batchStartedMillis = new AtomicLong();
        private final AtomicLong batchOldestCreationMillis = new AtomicLong();
        private final List<Meter> meters;

        private ShardMeters(MeterRegistry registry, String shardId) {
            Gauge lag = Gauge.builder("projector.shard.lag", this, m -> m.lagMillis(System.currentTimeMillis()))
                    .description("how far behind the shard is: at the end of its last batch, that time minus the creation time of its "
                            + "last record; while a batch runs, at least now minus the creation time of the batch's oldest record")
                    .baseUnit("milliseconds").tag("shard", shardId).strongReference(true).register(registry);
            Gauge age = Gauge.builder("projector.shard.last.record.age", this,
                            m -> m.lastCreationMillis.get() == 0 ? Double.NaN : System.currentTimeMillis() - m.lastCreationMillis.get())
                    .description("now minus the creation time of the last record the shard applied or skipped; grows while it is idle or stuck")
                    .baseUnit("milliseconds").tag("shard", shardId).strongReference(true).register(registry);
            Gauge batch = Gauge.builder("projector.shard.batch.age", this, m -> m.batchAgeMillis(System.currentTimeMillis()))
                    .description("how long the shard's batch in flight has run (0 between batches); a stuck projection or retry storm makes it grow")
                    .baseUnit("milliseconds").tag("shard", shardId).strongReference(true).register(registry);
            this.meters = List.of(lag, age, batch);
        }

        /** A batch begins; its oldest record was created at {@code oldestCreationMillis}. */
        public void batchStarted(long nowMillis, long oldestCreationMillis) {
            batchOldestCreationMillis.set(oldestCreationMillis);
            batchStartedMillis.set(nowMillis);
        }

        /** The batch is done, committed or given up. */
        public void batchEnded() {
            batchStartedMillis.set(0);
            batchOldestCreationMillis.set(0);
        }

        /** The records up to one created at {@code creationMillis} are applied (or skipped) at {@code nowMillis}. */
        public void processed(long creationMillis, long nowMillis) {
            lastCreationMillis.accumulateAndGet(creationMillis, Math::max);
            lagMillis.set(Math.max(0, nowMillis - creationMillis));
        }

        /** A poll found nothing new: the shard is caught up. */
        public void atTip(long nowMillis) {
            lagMillis.set(0);
        }

        /** What the lag gauge shows at {@code nowMillis}: a batch that does not finish makes it grow. */
        public long lagMillis(long nowMillis) {
            long oldest = batchOldestCreationMillis.get();
            long done = lagMillis.get();
            return batchStartedMillis.get() == 0 || oldest == 0 ? done : Math.max(done, nowMillis - oldest);
        }

        /** What the batch-age gauge shows at {@code nowMillis}. */
        public long batchAgeMillis(long nowMillis) {
            long started = batchStartedMillis.get();
            return started == 0 ? 0 : Math.max(0, nowMillis - started);
        }
    }
}
