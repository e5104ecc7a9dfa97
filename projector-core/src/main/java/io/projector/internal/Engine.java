package io.projector.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.projector.Projection;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.commit.FinishedShards;
import io.projector.internal.commit.GuardedCommitter;
import io.projector.internal.commit.ReadModelBreaker;
import io.projector.internal.commit.RetryPolicy;
import io.projector.internal.commit.TombstoneSweep;
import io.projector.internal.guard.StreamPosition;
import io.projector.internal.plan.ChangeEventDecoder;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.plan.TransactionLimits;
import io.projector.internal.shard.EngineCounters;
import io.projector.internal.shard.HandOffSource;
import io.projector.internal.shard.ShardProjector;
import io.projector.internal.shard.ShardReporter;
import io.projector.internal.shard.ShardTable;
import io.projector.internal.store.AppliedVersionStore;
import io.projector.internal.store.BackfillStore;
import io.projector.internal.store.DeadLetterStore;
import io.projector.internal.store.ShardStatusStore;
import io.projector.internal.store.WatermarkStore;
import io.projector.worker.CommitPolicy;
import io.projector.worker.ProjectorConfig;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The one place that wires the engine's pieces for a read-model table: its stores under this
 * application's keys, the planner, the committer, retry and breaker, and a shard projector per
 * shard (or scan segment). The worker and backfill both build theirs here, so the two can differ
 * only where they say so (how unrouted changes are treated, whose write units are counted, the
 * side of the hand-off a shard plays).
 */
public final class Engine {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    private final ProjectorConfig config;
    private final DynamoDbClient dynamo;
    private final List<Projection> projections;
    private final List<String> names;
    private final EngineKeys keys;
    private final EngineCounters counters;
    private final Clock clock;
    private final WatermarkStore watermarks;
    private final DeadLetterStore deadLetters;
    private final BackfillStore backfills;
    private final AppliedVersionStore markers;
    private final ShardStatusStore shardStatus;
    private GuardedCommitter guarded;

    private Engine(ProjectorConfig config, DynamoDbClient dynamo, List<Projection> projections, EngineCounters counters, Clock clock) {
        this.config = config;
        this.dynamo = dynamo;
        this.projections = List.copyOf(projections);
        this.names = this.projections.stream().map(Projection::name).toList();
        this.keys = EngineKeys.of(config.engineApplication());
        this.counters = counters;
        this.clock = clock;
        String table = config.readModelTable();
        this.watermarks = new WatermarkStore(dynamo, table, keys);
        // One per engine: the shards of a worker share its view of the blocked items.
        this.deadLetters = new DeadLetterStore(dynamo, table, keys, config.deadLetters());
        this.backfills = new BackfillStore(dynamo, table, keys);
        this.markers = new AppliedVersionStore(dynamo, table, keys);
        this.shardStatus = new ShardStatusStore(dynamo, table, keys);
    }

    /** No I/O: the stores are only addressed here, the first call to DynamoDB is the caller's. */
    public static Engine of(ProjectorConfig config, DynamoDbClient dynamo, List<Projection> projections, EngineCounters counters, Clock clock) {
        return new Engine(config, dynamo, projections, counters, clock);
    }

    public ProjectorConfig config() {
        return config;
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public List<String> names() {
        return names;
    }

    public EngineKeys keys() {
        return keys;
    }

    public EngineCounters counters() {
        return counters;
    }

    public Clock clock() {
        return clock;
    }

    public WatermarkStore watermarks() {
        return watermarks;
    }

    public DeadLetterStore deadLetters() {
        return deadLetters;
    }

    public BackfillStore backfills() {
        return backfills;
    }

    public AppliedVersionStore markers() {
        return markers;
    }

    public ShardStatusStore shardStatus() {
        return shardStatus;
    }

    /** Each projection's entity types, by name. */
    public Map<String, Set<String>> entityTypes() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        projections.forEach(p -> out.put(p.name(), Set.copyOf(p.entityTypes())));
        return out;
    }

    /** Plans guarded windows when the commit policy says so (transactions for hand-offs and scans all the same). */
    public ChunkPlanner planner(ChunkPlanner.Unrouted unrouted) {
        return new ChunkPlanner(projections, TransactionLimits.DYNAMODB, unrouted, config.commit().guarded(names));
    }

    public ChangeEventDecoder decoder() {
        return new ChangeEventDecoder(config.entityTypeAttribute());
    }

    /** A committer that hands the write units each transaction consumed to {@code writeUnits}. */
    public ChunkCommitter committer(DoubleConsumer writeUnits) {
        return new ChunkCommitter(dynamo, config.readModelTable(), watermarks, deadLetters, clock, writeUnits);
    }

    /** A committer that counts no write units. */
    public ChunkCommitter committer() {
        return new ChunkCommitter(dynamo, config.readModelTable(), watermarks, deadLetters, clock);
    }

    /** The retry of calls to the read model, counted in {@link EngineCounters#retries}. */
    public Retry retry(String name) {
        Retry retry = RetryPolicy.create(name, config);
        retry.getEventPublisher().onRetry(e -> counters.retries.increment());
        return retry;
    }

    public CircuitBreaker breaker() {
        return ReadModelBreaker.create(config);
    }

    /**
     * The guarded committer of this engine's worker, made on first use: its send pool and its
     * tombstones are the worker's, shared by its shards. Its pool's threads end when idle, so an
     * engine needs no close.
     */
    public synchronized GuardedCommitter guardedCommitter(DoubleConsumer writeUnits) {
        if (guarded == null) {
            CommitPolicy policy = config.commit();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(policy.inFlight(), policy.inFlight(), 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "projector-guarded-" + config.applicationName());
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            boolean packed = policy.packing().resolve(LoopbackEndpoint.is(config.endpoint())) == CommitPolicy.Packing.PACKED;
            log.info("guarded commit: {} ({} in flight)", packed
                    ? "requests packed into transactions of up to 100 (DynamoDB Local, bound by requests)" : "one request per item", policy.inFlight());
            TombstoneSweep sweep = new TombstoneSweep(dynamo, config.readModelTable(), policy.tombstoneGrace(), writeUnits);
            guarded = new GuardedCommitter(dynamo, config.readModelTable(), watermarks, deadLetters, clock, writeUnits,
                    counters.guardedRefused, pool, policy.inFlight(), sweep,
                    // A replay shares the live application's markers: only the live one, whose shards they are, prunes them.
                    config.applicationName().equals(config.engineApplication())
                            ? new FinishedShards(dynamo, config.applicationName(), policy.tombstoneGrace(), clock) : null,
                    policy.tombstoneGrace().dividedBy(2),
                    packed, retry("guarded-requests"));
        }
        return guarded;
    }

    /** A shard's projector: one shard of the stream, or one segment of a backfill's scan. */
    public ShardProjector shard(String shardId, ChunkPlanner planner, ChunkCommitter committer, Retry retry, CircuitBreaker breaker,
                                BooleanSupplier stopRequested, HandOffSource handOffs, ShardReporter reporter) {
        return shard(shardId, planner, committer, units -> { }, retry, breaker, stopRequested, handOffs, reporter);
    }

    /**
     * As above; a guarded planner's windows go to this engine's guarded committer, which counts write
     * units into {@code guardedWriteUnits}. A stream shard whose id carries no creation time cannot
     * order its copies' positions across the lineage, so it is committed in transactions instead.
     */
    public ShardProjector shard(String shardId, ChunkPlanner planner, ChunkCommitter committer, DoubleConsumer guardedWriteUnits, Retry retry,
                                CircuitBreaker breaker, BooleanSupplier stopRequested, HandOffSource handOffs, ShardReporter reporter) {
        GuardedCommitter guardedCommitter = null;
        if (planner.guarded()) {
            if (!handOffs.scan() && !StreamPosition.carriesTime(shardId)) {
                log.warn("shard {}: its id carries no creation time, so its changes are committed in transactions, not guarded", shardId);
                planner = planner.transactional();
            } else {
                guardedCommitter = guardedCommitter(guardedWriteUnits);
            }
        }
        return new ShardProjector(shardId, names, planner, ShardTable.of(committer, guardedCommitter, watermarks, deadLetters), retry, breaker,
                counters, stopRequested, clock, handOffs, reporter);
    }
}
