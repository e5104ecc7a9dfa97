package io.projector.worker;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.projector.Projection;
import io.projector.internal.Engine;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.handoff.HandOffTracker;
import io.projector.internal.kcl.ShardRegistry;
import io.projector.internal.kcl.StreamWorker;
import io.projector.internal.kcl.WorkerProcessors;
import io.projector.internal.plan.ChangeEventDecoder;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.FatalErrors;
import io.projector.internal.shard.EngineCounters;
import io.projector.internal.shard.ShardReporter;
import io.projector.internal.store.AwsClients;
import io.projector.internal.store.HandOffLedger;
import io.projector.internal.store.LegacyEngineItems;
import io.projector.internal.store.ProjectionGaps;
import io.projector.internal.store.StoredHandOffLedger;
import io.projector.internal.store.StreamShards;
import io.projector.internal.store.TimeToLive;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * A projection worker: reads the source table's stream through the KCL and keeps the read model
 * exactly in step through the given projections. Embed it in your own {@code main}:
 *
 * <pre>{@code
 * try (Projector projector = Projector.start(config, List.of(new MyProjection()))) {
 *     projector.awaitTermination();
 * }
 * }</pre>
 */
public final class Projector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Projector.class);

    private final ProjectorConfig config;
    private final AwsClients clients;
    private final EngineCounters counters;
    private final ShardRegistry shards = new ShardRegistry();
    private final StreamWorker worker;
    private final CircuitBreaker breaker;
    private final long startedAtMillis = System.currentTimeMillis();
    private volatile boolean closed;

    private Projector(ProjectorConfig config, List<Projection> projections) {
        this.config = config;
        checkNames(projections);
        this.counters = new EngineCounters(config.meterRegistry());
        this.clients = new AwsClients(config);
        try {
            String streamArn = streamArn(clients, config);
            Engine engine = Engine.of(config, clients.dynamo(), projections, counters, Clock.systemUTC());
            List<String> names = engine.names();
            // The KCL resumes every projection of the application at its checkpoints: one left out of
            // earlier runs, or new to an application that has read the stream, would silently skip changes.
            // Engine items written before keys named the application are invisible to this worker:
            // it refuses to start until `projector migrate-keys` has moved them.
            String app = config.engineApplication();
            String unmoved = new LegacyEngineItems(clients.dynamo(), config.readModelTable(), app,
                    () -> LegacyEngineItems.shardsOf(clients.dynamo(), clients.streams(), streamArn, app))
                    .startProblem(names, engine.watermarks(), engine.backfills(), config.sourceTable(), config.readModelTable());
            if (unmoved != null) {
                throw new IllegalStateException(unmoved);
            }
            List<ProjectionGaps.Gap> gaps = ProjectionGaps.of(clients.dynamo(), config.readModelTable(), config.applicationName(), engine.keys(), names);
            if (!gaps.isEmpty()) {
                throw new IllegalStateException(ProjectionGaps.message(config.applicationName(), gaps));
            }
            ChunkPlanner planner = engine.planner(new ChunkPlanner.Unrouted(config.parkMissingType(), config.parkUnknownTypes()));
            ChunkCommitter committer = engine.committer(counters.consumedWriteUnits::add);
            Retry retry = engine.retry("read-model");
            this.breaker = engine.breaker();
            bindGauges(config.meterRegistry(), names);
            ChangeEventDecoder decoder = engine.decoder();
            java.util.Map<String, Set<String>> entityTypes = engine.entityTypes();
            HandOffLedger ledger = new StoredHandOffLedger(engine.backfills(), engine.watermarks(), engine.markers(),
                    () -> StreamShards.open(clients.streams(), streamArn));
            WorkerProcessors processors = new WorkerProcessors(
                    (shardId, stop) -> engine.shard(shardId, planner, committer, counters.consumedWriteUnits::add, retry, breaker, stop,
                            new HandOffTracker(shardId, config.workerId(), entityTypes, ledger, config.handOffMargin(), Clock.systemUTC()),
                            new ShardReporter(engine.shardStatus(), config.applicationName(), shardId, config.workerId(), Clock.systemUTC())),
                    decoder, config.checkpointInterval(), Clock.systemUTC(), shards, FatalErrors::haltProcess);
            String ttlProblem = TimeToLive.problem(clients.dynamo(), config.readModelTable());
            if (ttlProblem != null) {
                log.warn(ttlProblem);
            }

            this.worker = new StreamWorker(config, clients, streamArn, processors);
            log.info("projector '{}' on {} -> {} with projections {} (worker {})", config.applicationName(),
                    config.sourceTable(), config.readModelTable(), names, config.workerId());
        } catch (RuntimeException e) {
            clients.close();
            throw e;
        }
    }

    /** Checks the tables and starts consuming the stream in the background. */
    public static Projector start(ProjectorConfig config, List<Projection> projections) {
        Projector p = new Projector(config, projections);
        p.worker.start();
        return p;
    }

    private static void checkNames(List<Projection> projections) {
        if (projections.isEmpty()) {
            throw new IllegalArgumentException("no projections to run");
        }
        Set<String> seen = new HashSet<>();
        for (Projection p : projections) {
            String name = p.name();
            if (name == null || !name.matches("[A-Za-z0-9_.-]{1,100}")) {
                throw new IllegalArgumentException("projection " + p.getClass().getName() + " has an invalid name '" + name
                        + "': use letters, digits, _ . - (at most 100)");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("two projections are named '" + name + "': names key watermarks and must be unique");
            }
            if (p.entityTypes() == null || p.entityTypes().isEmpty()) {
                throw new IllegalArgumentException("projection '" + name + "' wants no entity types");
            }
        }
    }

    private static String streamArn(AwsClients clients, ProjectorConfig config) {
        TableDescription source;
        try {
            source = clients.dynamo().describeTable(b -> b.tableName(config.sourceTable())).table();
        } catch (ResourceNotFoundException e) {
            throw new IllegalStateException("source table '" + config.sourceTable() + "' does not exist in " + where(config));
        } catch (SdkClientException e) {
            throw new IllegalStateException("cannot reach DynamoDB at " + where(config) + ": " + e.getMessage());
        }
        if (source.streamSpecification() == null || !Boolean.TRUE.equals(source.streamSpecification().streamEnabled())
                || source.latestStreamArn() == null) {
            throw new IllegalStateException("source table '" + config.sourceTable() + "' has no stream: enable one with view type NEW_AND_OLD_IMAGES");
        }
        if (source.streamSpecification().streamViewType() != StreamViewType.NEW_AND_OLD_IMAGES) {
            throw new IllegalStateException("source table '" + config.sourceTable() + "' streams " + source.streamSpecification().streamViewType()
                    + ", but projections need NEW_AND_OLD_IMAGES");
        }
        try {
            clients.dynamo().describeTable(b -> b.tableName(config.readModelTable()));
        } catch (ResourceNotFoundException e) {
            throw new IllegalStateException("read-model table '" + config.readModelTable() + "' does not exist in " + where(config)
                    + " (create it, or pass --create-tables)");
        }
        return source.latestStreamArn();
    }

    private static String where(ProjectorConfig config) {
        return config.endpoint() != null ? config.endpoint().toString() : config.region();
    }

    private void bindGauges(MeterRegistry registry, List<String> names) {
        names.forEach(counters::registerProjection);
        counters.registerProjection(ChunkPlanner.NO_PROJECTION);
        Gauge.builder("projector.shards.active", shards, ShardRegistry::activeShards)
                .description("shard leases this worker holds and processes").strongReference(true).register(registry);
        Gauge.builder("projector.shards.halted", shards, s -> s.haltedShards().size())
                .description("shards halted on a change that cannot be projected (policy HALT)").strongReference(true).register(registry);
        Gauge.builder("projector.shards.stuck", this, p -> p.stuckShards().size())
                .description("shards whose batch has run longer than the stuck batch time (a projection that never returns, an endless retry)")
                .strongReference(true).register(registry);
        Gauge.builder("projector.breaker.state", breaker, b -> breakerState(b.getState()))
                .description("read-model circuit breaker: 0 closed, 1 half-open, 2 open").strongReference(true).register(registry);
    }

    private static int breakerState(CircuitBreaker.State state) {
        switch (state) {
            case OPEN:
            case FORCED_OPEN:
                return 2;
            case HALF_OPEN:
                return 1;
            default:
                return 0;
        }
    }

    public ProjectorConfig config() {
        return config;
    }

    /**
     * True once the worker has taken and initialized its first shard (leases taken, initial sync
     * done), while it runs and is not stopping. A worker that never got a lease (more workers than
     * shards) does not become ready.
     */
    public boolean isReady() {
        return isRunning() && shards.anyStarted();
    }

    public boolean isRunning() {
        return worker.isRunning() && !closed;
    }

    public ProjectorStats stats() {
        return new ProjectorStats(
                counters.eventsSeen.sum(),
                counters.chunksCommitted.sum(),
                counters.itemWrites.sum(),
                counters.watermarkWrites.sum(),
                counters.consumedWriteUnits.sum(),
                counters.chunksAlreadyApplied.sum(),
                counters.transientFailures.sum(),
                counters.parked.sum(),
                breaker.getState().name(),
                counters.breakerWaits.sum(),
                counters.lastCommittedEventMillis.get(),
                shards.activeShards(),
                shards.haltedShards(),
                System.currentTimeMillis() - startedAtMillis,
                stuckShards());
    }

    private java.util.Map<String, Long> stuckShards() {
        return shards.stuckShards(System.currentTimeMillis(), config.stuckBatchAfter().toMillis());
    }

    /** Blocks until the worker stops (for example after {@link #close()} from a shutdown hook). */
    public void awaitTermination() throws InterruptedException {
        while (worker.isRunning()) {
            Thread.sleep(200);
        }
    }

    /**
     * Stops gracefully: the chunk in flight is committed or abandoned, shards checkpoint, leases are
     * released. Returns within the timeout (and a moment), whether that finished (true) or had to be
     * cut short (false); either way nothing committed is lost and nothing is applied twice later.
     */
    public boolean stop(Duration timeout) {
        if (closed) {
            return true;
        }
        closed = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        // First, so that a shard stuck in retries gives up its batch now instead of at the timeout.
        shards.requestStop();
        boolean clean = worker.stop(timeout.toMillis(), () -> shards.activeShards() == 0);
        closeClients(deadline);
        log.info("projector '{}' stopped {}", config.applicationName(), clean ? "cleanly" : "after the timeout");
        return clean;
    }

    /** Closing the async clients waits out Netty's quiet period (about 2 s); the stop's budget bounds that wait. */
    private void closeClients(long deadlineNanos) {
        Thread closing = new Thread(clients::close, "projector-close-" + config.applicationName());
        closing.setDaemon(true);
        closing.start();
        long leftMillis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        try {
            closing.join(Math.max(1, leftMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(20));
    }
}
