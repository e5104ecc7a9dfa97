package io.projector.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.SequenceNumber;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.handoff.ScanHandOff;
import io.projector.internal.plan.ChangeEventDecoder;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.HandOffRule;
import io.projector.internal.plan.ItemSize;
import io.projector.internal.plan.ShardStoppedException;
import io.projector.internal.shard.EngineCounters;
import io.projector.internal.shard.ShardProjector;
import io.projector.internal.store.AwsClients;
import io.projector.internal.store.BackfillStore;
import io.projector.internal.store.StreamShards;
import io.projector.internal.store.WatermarkStore;
import io.projector.ops.BackfillConfig;
import io.projector.ops.BackfillProgress;
import io.projector.worker.ProjectorConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * One backfill: registers the projections, waits until the workers running them have joined the
 * hand-off on every open shard, then scans the source table in parallel segments and feeds each
 * page, as INSERTs of what was read, through the same plan/commit path as the stream (a
 * {@link ShardProjector} per segment, judged by the {@link HandOffRule}). Each page's progress is
 * saved after its commit; an interrupted run resumes from the saved keys, and a page read twice
 * changes nothing (its items have markers).
 */
public final class BackfillRun {

    private static final Logger log = LoggerFactory.getLogger(BackfillRun.class);

    private final ProjectorConfig config;
    private final List<Projection> projections;
    private final List<String> names;
    private final BackfillConfig options;
    private final Consumer<BackfillProgress> listener;
    private final Clock clock = Clock.systemUTC();
    private final AtomicLong scanned = new AtomicLong();
    private final AtomicLong scannedBefore = new AtomicLong();
    private final DoubleAdder readUnits = new DoubleAdder();
    private final AtomicLong progressSavedAt = new AtomicLong();
    private final EngineCounters counters = new EngineCounters();
    private volatile boolean stopRequested;
    private volatile String phase = "REGISTERING";
    private volatile long estimate;
    private volatile long scanStartedAt;

    public BackfillRun(ProjectorConfig config, List<Projection> projections, BackfillConfig options, Consumer<BackfillProgress> listener) {
        this.config = config;
        this.projections = List.copyOf(projections);
        this.names = projections.stream().map(Projection::name).toList();
        this.options = options;
        this.listener = listener;
    }

    public void stop() {
        stopRequested = true;
    }

    public BackfillProgress progress() {
        long now = clock.millis();
        long done = scanned.get() - scannedBefore.get();
        double seconds = scanStartedAt == 0 ? 0 : (now - scanStartedAt) / 1000.0;
        double rate = seconds > 0 ? done / seconds : 0;
        Duration eta = rate > 0 && estimate > scanned.get() ? Duration.ofSeconds((long) ((estimate - scanned.get()) / rate)) : null;
        return new BackfillProgress(phase, scanned.get(), counters.markerWrites.sum(), estimate, rate, eta, readUnits.sum(), scannedBefore.get());
    }

    /** Runs to the end, or until {@link #stop()}; returns the last progress (phase COMPLETE or STOPPED). */
    public BackfillProgress run() {
        try (AwsClients clients = new AwsClients(config)) {
            TableDescription source = describe(clients, config.sourceTable(), "source");
            describe(clients, config.readModelTable(), "read-model");
            Engine engine = Engine.of(config, clients.dynamo(), projections, counters, clock);
            BackfillStore store = engine.backfills();
            register(store, engine.watermarks());
            phase = "JOINING";
            awaitJoins(clients, store, source.latestStreamArn());
            if (stopRequested) {
                return finish("STOPPED");
            }
            estimate = source.itemCount() == null ? 0 : source.itemCount();
            long now = clock.millis();
            names.forEach(p -> store.markRunning(p, now, estimate));
            phase = "SCANNING";
            boolean complete = scan(clients, engine, source);
            if (!complete) {
                return finish("STOPPED");
            }
            long finished = clock.millis();
            for (String p : names) {
                store.markComplete(p, finished, scanned.get(), counters.markerWrites.sum());
            }
            store.forgetRun(names);
            return finish("COMPLETE");
        }
    }

    private BackfillProgress finish(String how) {
        phase = how;
        BackfillProgress last = progress();
        listener.accept(last);
        return last;
    }

    private static TableDescription describe(AwsClients clients, String table, String what) {
        try {
            return clients.dynamo().describeTable(b -> b.tableName(table)).table();
        } catch (ResourceNotFoundException e) {
            throw new IllegalStateException(what + " table '" + table + "' does not exist");
        }
    }

    private void register(BackfillStore store, WatermarkStore watermarks) {
        Map<String, BackfillStore.Registration> existing = store.registrations(names);
        for (String p : names) {
            BackfillStore.Registration r = existing.get(p);
            if (r == null) {
                if (watermarks.hasAny(p)) {
                    throw new IllegalStateException("projection '" + p + "' has already applied stream changes to '" + config.readModelTable()
                            + "' without a backfill: backfill a projection before it first runs, or rebuild it into a new table (projector rebuild)");
                }
                store.register(p, options.versionAttribute(), options.purpose(), clock.millis());
                log.info("registered the backfill of '{}' (version attribute '{}')", p, options.versionAttribute());
            } else if (!r.versionAttribute().equals(options.versionAttribute())) {
                throw new IllegalStateException("projection '" + p + "' was registered for a backfill with version attribute '"
                        + r.versionAttribute() + "', not '" + options.versionAttribute() + "': resume with the same attribute");
            } else if (r.status() == BackfillStore.Status.COMPLETE || r.status() == BackfillStore.Status.RETIRED) {
                throw new IllegalStateException("projection '" + p + "' was already backfilled into '" + config.readModelTable()
                        + "' (finished at " + Instant.ofEpochMilli(r.finishedAtMillis()) + ")");
            }
        }
    }

    /** Every open shard must have a worker applying the projections' changes by the hand-off rule before the scan starts. */
    private void awaitJoins(AwsClients clients, BackfillStore store, String streamArn) {
        long deadline = clock.millis() + options.joinTimeout().toMillis();
        long lastLog = 0;
        while (!stopRequested) {
            List<String> open = StreamShards.open(clients.streams(), streamArn);
            List<String> missing = new ArrayList<>();
            for (String p : names) {
                Map<String, String> reports = store.shardReports(p);
                for (Map.Entry<String, String> e : reports.entrySet()) {
                    if (!"joined".equals(e.getValue()) && !"ended".equals(e.getValue())) {
                        throw new IllegalStateException("the worker on shard " + e.getKey() + " refused the hand-off: " + e.getValue());
                    }
                }
                open.stream().filter(s -> !reports.containsKey(s)).forEach(s -> missing.add(p + "@" + s));
            }
            if (missing.isEmpty()) {
                log.info("every open shard has joined the hand-off of {}", names);
                return;
            }
            if (clock.millis() > deadline) {
                throw new IllegalStateException("no worker running " + names + " joined the hand-off within " + options.joinTimeout().toSeconds()
                        + " s (missing: " + missing + "): start or redeploy the worker with these projections, then run the backfill again");
            }
            if (clock.millis() - lastLog > 10_000) {
                lastLog = clock.millis();
                log.info("waiting for a worker running {} to join the hand-off on {}", names, missing);
                listener.accept(progress());
            }
            pause(250);
        }
    }

    private boolean scan(AwsClients clients, Engine engine, TableDescription source) {
        BackfillStore store = engine.backfills();
        List<String> keyNames = source.keySchema().stream().map(KeySchemaElement::attributeName).toList();
        Map<Integer, BackfillStore.SegmentProgress> saved = new HashMap<>();
        int total = options.segments();
        for (BackfillStore.SegmentProgress s : store.segments(names)) {
            saved.put(s.segment(), s);
        }
        if (!saved.isEmpty() && saved.size() != total) {
            log.info("resuming a backfill that was started with {} segments (not {}): keeping {}", saved.size(), total, saved.size());
            total = saved.size();
        }
        saved.values().forEach(s -> scannedBefore.addAndGet(s.scanned()));
        scanned.set(scannedBefore.get());
        if (!saved.isEmpty()) {
            log.info("resuming the backfill of {}: {} items scanned before, {} of {} segments done", names, scannedBefore.get(),
                    saved.values().stream().filter(BackfillStore.SegmentProgress::done).count(), total);
        }
        ChunkPlanner planner = engine.planner(ChunkPlanner.Unrouted.IGNORE);
        ChunkCommitter committer = engine.committer();
        Map<String, HandOffRule> rules = new LinkedHashMap<>();
        names.forEach(p -> rules.put(p, new HandOffRule(options.versionAttribute())));
        Map<String, java.util.Set<String>> entityTypes = engine.entityTypes();
        Retry retry = engine.retry("backfill");
        CircuitBreaker breaker = engine.breaker();
        RateLimiter limiter = RateLimiter.of("backfill-read-units", RateLimiterConfig.custom()
                .limitForPeriod(options.readUnitsPerSecond()).limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ofMinutes(5)).build());
        scanStartedAt = clock.millis();
        int segments = total;
        ExecutorService pool = Executors.newFixedThreadPool(segments, r -> {
            Thread t = new Thread(r, "backfill-segment");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < segments; i++) {
                BackfillStore.SegmentProgress start = saved.getOrDefault(i, new BackfillStore.SegmentProgress(i, null, false, 0));
                ShardProjector projector = engine.shard("backfill-" + i, planner, committer, retry, breaker, () -> stopRequested,
                        new ScanHandOff(engine.markers(), rules, entityTypes), null);
                results.add(pool.submit(() -> segment(clients, store, projector, keyNames, segments, start, limiter, retry)));
            }
            boolean all = true;
            for (Future<Boolean> f : results) {
                try {
                    all &= f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    stopRequested = true;
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            }
            return all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopRequested = true;
            return false;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Scans one segment to its end (true) or until stopped (false). */
    private boolean segment(AwsClients clients, BackfillStore store, ShardProjector projector, List<String> keyNames, int segments,
                            BackfillStore.SegmentProgress start, RateLimiter limiter, Retry retry) {
        if (start.done()) {
            return true;
        }
        projector.initialize();
        Map<String, AttributeValue> lastKey = start.lastKey();
        long count = start.scanned();
        ChangeEventDecoder decoder = new ChangeEventDecoder(config.entityTypeAttribute());
        while (!stopRequested) {
            Map<String, AttributeValue> from = lastKey;
            ScanResponse page = retry.executeSupplier(() -> clients.dynamo().scan(b -> b.tableName(config.sourceTable())
                    .segment(start.segment()).totalSegments(segments).consistentRead(true).limit(options.pageSize())
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).exclusiveStartKey(from)));
            double units = page.consumedCapacity() != null && page.consumedCapacity().capacityUnits() != null
                    ? page.consumedCapacity().capacityUnits() : estimateUnits(page.items());
            readUnits.add(units);
            List<ChangeEvent> events = new ArrayList<>(page.items().size());
            Instant readAt = clock.instant();
            for (Map<String, AttributeValue> item : page.items()) {
                count++;
                events.add(decoder.fromScan(item, keyNames, SequenceNumber.of(count), readAt));
            }
            try {
                projector.process(events);
            } catch (ShardStoppedException e) {
                return false;
            }
            lastKey = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            store.saveSegment(names, segments, new BackfillStore.SegmentProgress(start.segment(), lastKey, lastKey == null, count));
            scanned.addAndGet(page.items().size());
            long now = clock.millis();
            long last = progressSavedAt.get();
            if (now - last >= 2_000 && progressSavedAt.compareAndSet(last, now)) {
                // For `projector status` in another process: the registration carries the progress.
                names.forEach(p -> store.recordProgress(p, scanned.get(), counters.markerWrites.sum()));
            }
            if (lastKey == null) {
                return true;
            }
            acquire(limiter, units);
        }
        return false;
    }

    /** Waits until the read units just spent fit the budget (a page may cost more than one second's worth). */
    private void acquire(RateLimiter limiter, double units) {
        int left = (int) Math.ceil(units);
        int perPeriod = options.readUnitsPerSecond();
        while (left > 0 && !stopRequested) {
            int take = Math.min(left, perPeriod);
            if (limiter.acquirePermission(take)) {
                left -= take;
            }
        }
    }

    /** Consistent reads cost one unit per 4 KB of what a page returned (used when the endpoint reports no capacity). */
    private static double estimateUnits(List<Map<String, AttributeValue>> items) {
        long bytes = 0;
        for (Map<String, AttributeValue> item : items) {
            bytes += ItemSize.of(item);
        }
        return Math.max(1, Math.ceil(bytes / 4096.0));
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopRequested = true;
        }
    }
}
