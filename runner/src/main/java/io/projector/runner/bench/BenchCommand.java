package io.projector.runner.bench;

import io.projector.ops.Backfill;
import io.projector.ops.BackfillConfig;
import io.projector.ops.BackfillProgress;
import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.worker.CommitPolicy;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorConfig;
import io.projector.worker.ProjectorStats;
import io.projector.ops.Tables;
import io.projector.internal.plan.ChangeEventDecoder;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import io.projector.runner.EmbeddedDynamo;
import io.projector.runner.ProjectionCatalog;
import io.projector.runner.RawScan;
import io.projector.runner.SourceTableWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * {@code projector bench}: throughput, lag, write cost and start-up of the engine on the embedded
 * DynamoDB Local, next to the raw ceilings of this machine and a naive one-request-per-write
 * baseline, all in one process and one run, with a seeded workload of the reference domain.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure Projector against the raw write/read ceilings and a naive baseline on the embedded DynamoDB Local.")
public final class BenchCommand implements Callable<Integer> {

    private static final String CEILING_SOURCE = "bench-ceiling-source";
    private static final String CEILING_READ_MODEL = "bench-ceiling-read-model";
    private static final String CEILING_APPLICATION = "bench-ceiling";
    private static final String SOURCE = "bench-source";
    private static final String READ_MODEL = "bench-read-model";
    private static final String NAIVE_READ_MODEL = "bench-naive-read-model";
    private static final String GUARDED_READ_MODEL = "bench-guarded-read-model";
    private static final String GUARDED_APPLICATION = "bench-guarded";
    private static final String PACKED_READ_MODEL = "bench-guarded-packed-read-model";
    private static final String PACKED_APPLICATION = "bench-guarded-packed";
    private static final String APPLICATION = "bench-projector";
    private static final String LEGACY_SOURCE = "bench-legacy-source";
    private static final String LEGACY_READ_MODEL = "bench-legacy-read-model";
    private static final String LEGACY_APPLICATION = "bench-legacy";
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final long MIB = 1024 * 1024;

    @Option(names = "--changes", defaultValue = "100000", description = "Changes in the backlog Projector drains (default ${DEFAULT-VALUE}).")
    long changes;

    @Option(names = "--ceiling-items", defaultValue = "30000", description = "Items written and read for the raw ceilings (default ${DEFAULT-VALUE}).")
    int ceilingItems;

    @Option(names = "--naive-seconds", defaultValue = "30",
            description = "Time the naive baseline gets; it applies a prefix of the backlog when that is not enough (default ${DEFAULT-VALUE}).")
    int naiveSeconds;

    @Option(names = "--lag-rate", defaultValue = "500", description = "Changes per second while lag is measured (default ${DEFAULT-VALUE}).")
    int lagRate;

    @Option(names = "--lag-seconds", defaultValue = "20", description = "How long lag is measured (default ${DEFAULT-VALUE}).")
    int lagSeconds;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the workload (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--backfill-items", defaultValue = "20000",
            description = "Items of the backlog's source copied into a table older than its stream and backfilled (0: skip; default ${DEFAULT-VALUE}).")
    int backfillItems;

    @Option(names = "--skip-startup", description = "Do not stop and restart the worker to time a restart.")
    boolean skipStartup;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        check();
        EmbeddedDynamo.require("projector bench");
        List<Projection> projections = ProjectionCatalog.builtIn().select(List.of());
        Report report = new Report(out);
        report.header(seed, changes, ceilingItems, lagRate, lagSeconds);
        try (EmbeddedDynamo.Started local = EmbeddedDynamo.start("projector bench", null, 0);
             DynamoDbClient dynamo = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(EmbeddedDynamo.CREDENTIALS)
                     .endpointOverride(local.endpoint()).httpClientBuilder(ApacheHttpClient.builder().maxConnections(32)).build();
             DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder().region(Region.US_EAST_1)
                     .credentialsProvider(EmbeddedDynamo.CREDENTIALS).endpointOverride(local.endpoint()).build()) {
            Results r = new Results();
            ceiling(r);
            report.ceiling(r);

            Tables.createSourceTable(dynamo, SOURCE);
            Tables.createReadModelTable(dynamo, READ_MODEL);
            Tables.createReadModelTable(dynamo, NAIVE_READ_MODEL);
            Tables.createLeaseTable(dynamo, APPLICATION);
            BenchWorkload workload = new BenchWorkload(dynamo, SOURCE, seed);
            long writeStart = System.nanoTime();
            BenchWorkload.Mix mix = workload.writeBacklog(changes);
            r.backlogSeconds = seconds(writeStart);
            r.mix = mix;
            report.backlog(r);

            TransactionCostMeter meter = new TransactionCostMeter();
            ProjectorConfig config = config(local, APPLICATION, SOURCE, READ_MODEL).readModelInterceptor(meter).build();
            Projector projector = drain(config, projections, dynamo, workload, mix, r);
            try {
                r.projectorUnits = meter.units();
                r.projectorTransactions = meter.transactions();
                r.projectorActions = meter.actions();
                report.drain(r, projections);
                guardedDrain(local, dynamo, projections, mix, r);
                report.guarded(r);

                naive(dynamo, streams, projections, mix, r);
                report.naive(r);
                report.likeHeavy(r);

                if (!skipStartup) {
                    projector.close();
                    workload.setStatus(workload.orders().get(0), "DELIVERED");
                    long restart = System.nanoTime();
                    projector = Projector.start(config, projections);
                    Projector restarted = projector;
                    await(() -> restarted.stats().chunksCommitted() > 0, "the restarted worker to project a change");
                    r.restartSeconds = seconds(restart);
                }
                LagMeter.Result lag = new LagMeter(dynamo, READ_MODEL, workload).run(lagRate, lagSeconds);
                r.lag = lag;
                // The same lag in the guarded commit as this endpoint gets it, the transactional worker stopped first.
                projector.close();
                r.guardedLag = guardedLag(dynamo, projections, workload, r);
                report.lag(r, lagRate, lagSeconds);
                report.startup(r, skipStartup);
            } finally {
                projector.close();
            }
            scan(dynamo, r);
            if (backfillItems > 0) {
                backfill(dynamo, projections, r);
            }
            report.backfill(r);
            report.ratios(r);
            return 0;
        }
    }

    private void check() {
        if (changes < 2000) {
            throw new IllegalArgumentException("--changes must be at least 2000, not " + changes);
        }
        if (ceilingItems < 1000) {
            throw new IllegalArgumentException("--ceiling-items must be at least 1000, not " + ceilingItems);
        }
        if (naiveSeconds < 1) {
            throw new IllegalArgumentException("--naive-seconds must be at least 1, not " + naiveSeconds);
        }
        if (lagRate < 10 || lagRate > 5000) {
            throw new IllegalArgumentException("--lag-rate must be between 10 and 5000 changes/s, not " + lagRate);
        }
        if (lagSeconds < 1 || lagSeconds > 600) {
            throw new IllegalArgumentException("--lag-seconds must be between 1 and 600, not " + lagSeconds);
        }
    }

    private static ProjectorConfig.Builder config(EmbeddedDynamo.Started local, String application, String source, String readModel) {
        return ProjectorConfig.builder().sourceTable(source).readModelTable(readModel).applicationName(application)
                .region("us-east-1").endpoint(local.endpoint()).credentials(EmbeddedDynamo.CREDENTIALS).fastLocalTuning();
    }

    /**
     * The ceilings, on a DynamoDB Local of their own that is gone before the backlog is written:
     * with a second stream-enabled table holding tens of thousands of records, DynamoDB Local's
     * writes slowed here from thousands to under a hundred items/s (its one SQLite thread at 100 %).
     */
    private void ceiling(Results r) throws Exception {
        try (EmbeddedDynamo.Started local = EmbeddedDynamo.start("projector bench", null, 0);
             DynamoDbClient dynamo = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(EmbeddedDynamo.CREDENTIALS)
                     .endpointOverride(local.endpoint()).httpClientBuilder(ApacheHttpClient.builder().maxConnections(32)).build()) {
            writeCeiling(dynamo, r);
            readCeiling(local, r);
        }
    }

    /** Raw BatchWriteItem rate into a stream-enabled table. */
    private void writeCeiling(DynamoDbClient dynamo, Results r) throws Exception {
        Tables.createSourceTable(dynamo, CEILING_SOURCE);
        Tables.createReadModelTable(dynamo, CEILING_READ_MODEL);
        Tables.createLeaseTable(dynamo, CEILING_APPLICATION);
        List<Map<String, AttributeValue>> items = new ArrayList<>(ceilingItems);
        for (int i = 0; i < ceilingItems; i++) {
            items.add(SourceTableWriter.item("ITEM#" + i, "ITEM", "Ceiling", "customerId", "c" + (i % 500),
                    "orderDate", "2024-05-01", "status", "PENDING", "total", 100 + i % 900));
        }
        long start = System.nanoTime();
        new SourceTableWriter(dynamo, CEILING_SOURCE).putAll(items);
        r.rawWriteRate = ceilingItems / seconds(start);
    }

    /** The KCL's read rate of the ceiling table's stream, with a projection that writes nothing. */
    private void readCeiling(EmbeddedDynamo.Started local, Results r) {
        ProjectorConfig config = config(local, CEILING_APPLICATION, CEILING_SOURCE, CEILING_READ_MODEL).build();
        long started = System.nanoTime();
        try (Projector reader = Projector.start(config, List.of(new NoOpProjection("Ceiling")))) {
            await(() -> reader.stats().eventsSeen() > 0, "the first stream record");
            long first = System.nanoTime();
            long firstCount = reader.stats().eventsSeen();
            r.ceilingStartSeconds = (first - started) / 1e9;
            await(() -> reader.stats().eventsSeen() >= ceilingItems, "all " + ceilingItems + " stream records");
            r.rawReadRate = (ceilingItems - firstCount) / seconds(first);
        }
    }

    /** One worker's drain of the backlog: how long, what it did, and the memory it took. */
    private record Drain(Projector projector, double firstStartSeconds, double seconds, ProjectorStats stats, long peakRss) {
        double rate() {
            return stats.eventsSeen() / seconds;
        }
    }

    /** Starts the worker on the written backlog and waits until the read model has caught up with its last change. */
    private Projector drain(ProjectorConfig config, List<Projection> projections, DynamoDbClient dynamo, BenchWorkload workload,
                            BenchWorkload.Mix mix, Results r) {
        Drain d = drain(config, projections, dynamo, mix);
        r.firstStartSeconds = d.firstStartSeconds();
        r.drainSeconds = d.seconds();
        r.drainStats = d.stats();
        r.drainPeakRss = d.peakRss();
        r.peakRss = ProcessMemory.peakRss();
        return d.projector();
    }

    private Drain drain(ProjectorConfig config, List<Projection> projections, DynamoDbClient dynamo, BenchWorkload.Mix mix) {
        BenchWorkload.Order sentinel = mix.sentinel();
        Map<String, AttributeValue> sentinelKey = Map.of(
                "PK", AttributeValue.fromS("CUSTOMER#" + sentinel.customerId()),
                "SK", AttributeValue.fromS("ORDER#" + sentinel.date() + "#" + sentinel.id()));
        AtomicBoolean draining = new AtomicBoolean(true);
        AtomicLong peakRss = new AtomicLong(ProcessMemory.rss());
        Thread sampler = new Thread(() -> {
            while (draining.get()) {
                peakRss.accumulateAndGet(ProcessMemory.rss(), Math::max);
                LockSupport.parkNanos(50_000_000);
            }
        }, "bench-rss-sampler");
        sampler.setDaemon(true);
        long started = System.nanoTime();
        Projector projector = Projector.start(config, projections);
        sampler.start();
        try {
            await(() -> projector.stats().eventsSeen() > 0, "the first backlog record");
            long first = System.nanoTime();
            await(() -> projector.stats().chunksCommitted() > 0, "the first commit");
            double firstStart = seconds(started);
            await(() -> projector.stats().eventsSeen() >= mix.changes()
                            && "CANCELLED".equals(status(dynamo, config.readModelTable(), sentinelKey)),
                    "the read model to catch up with the backlog",
                    // A slow machine drains a large backlog for minutes: allow 200 records/s at the least.
                    WAIT.plusSeconds(mix.changes() / 200));
            return new Drain(projector, firstStart, seconds(first), projector.stats(), peakRss.get());
        } catch (RuntimeException e) {
            projector.close();
            throw e;
        } finally {
            draining.set(false);
        }
    }

    /**
     * The same backlog drained again by two more applications in the guarded commit mode, each into a
     * read model of its own: one request per item (what AWS gets, so its writes are costed), then
     * packed into transactions, as this endpoint, DynamoDB Local, gets by default.
     */
    private void guardedDrain(EmbeddedDynamo.Started local, DynamoDbClient dynamo, List<Projection> projections, BenchWorkload.Mix mix, Results r) {
        Tables.createReadModelTable(dynamo, GUARDED_READ_MODEL);
        Tables.createLeaseTable(dynamo, GUARDED_APPLICATION);
        GuardedCostMeter meter = new GuardedCostMeter(GUARDED_READ_MODEL);
        ProjectorConfig config = config(local, GUARDED_APPLICATION, SOURCE, GUARDED_READ_MODEL)
                .commit(CommitPolicy.GUARDED.withPacking(CommitPolicy.Packing.SINGLE)).readModelInterceptor(meter).build();
        Drain d = drain(config, projections, dynamo, mix);
        d.projector().close();
        r.guarded = d;
        r.guardedMeter = meter;

        Tables.createReadModelTable(dynamo, PACKED_READ_MODEL);
        Tables.createLeaseTable(dynamo, PACKED_APPLICATION);
        r.packedConfig = config(local, PACKED_APPLICATION, SOURCE, PACKED_READ_MODEL).commit(CommitPolicy.GUARDED).build();
        Drain packed = drain(r.packedConfig, projections, dynamo, mix);
        packed.projector().close();
        r.packed = packed;
    }

    /**
     * Lag with the guarded commit as this endpoint gets it (packed): its application started again,
     * caught up with what was written since its drain (a status change it must show), then timed as
     * the transactional worker was.
     */
    private LagMeter.Result guardedLag(DynamoDbClient dynamo, List<Projection> projections, BenchWorkload workload, Results r) throws Exception {
        try (Projector guarded = Projector.start(r.packedConfig, projections)) {
            // A status no change of the workload sets: shown, it says every change written before it is applied.
            BenchWorkload.Order order = workload.setStatus(workload.orders().get(0), "RETURNED");
            Map<String, AttributeValue> key = Map.of("PK", AttributeValue.fromS("CUSTOMER#" + order.customerId()),
                    "SK", AttributeValue.fromS("ORDER#" + order.date() + "#" + order.id()));
            await(() -> "RETURNED".equals(status(dynamo, PACKED_READ_MODEL, key)), "the guarded worker to catch up before its lag is timed",
                    WAIT.plusSeconds((long) lagRate * lagSeconds / 200));
            return new LagMeter(dynamo, PACKED_READ_MODEL, workload).run(lagRate, lagSeconds);
        }
    }

    private static String status(DynamoDbClient dynamo, String readModel, Map<String, AttributeValue> key) {
        AttributeValue status = dynamo.getItem(b -> b.tableName(readModel).key(key).consistentRead(true)).item().get("status");
        return status == null ? null : status.s();
    }

    /** The Lambda-style baseline over the same stream records, within its time budget; all records are kept for the offline plan. */
    private void naive(DynamoDbClient dynamo, DynamoDbStreamsClient streams, List<Projection> projections, BenchWorkload.Mix mix,
                       Results r) {
        String arn = dynamo.describeTable(b -> b.tableName(SOURCE)).table().latestStreamArn();
        ChangeEventDecoder decoder = new ChangeEventDecoder("type");
        NaiveApplier naive = new NaiveApplier(dynamo, NAIVE_READ_MODEL, projections);
        List<ChangeEvent> events = new ArrayList<>((int) mix.changes());
        long budget = Duration.ofSeconds(naiveSeconds).toNanos();
        long[] spent = {0};
        new StreamReader(streams).read(arn, mix.changes(), batch -> {
            long start = System.nanoTime();
            boolean applying = spent[0] < budget;
            for (var record : batch) {
                ChangeEvent event = decoder.decode(record);
                events.add(event);
                if (applying && System.nanoTime() - start + spent[0] < budget) {
                    naive.apply(event);
                }
            }
            if (applying) {
                spent[0] += System.nanoTime() - start;
            }
        });
        r.naive = naive;
        r.naiveSeconds = spent[0] / 1e9;
        r.streamRecords = events.size();
        Set<String> likeTypes = Set.of("Post", "Like");
        List<ChangeEvent> likeEvents = events.stream().filter(e -> likeTypes.contains(e.entityType())).toList();
        r.plannedAll = PlanCost.of(events, projections);
        r.plannedLikes = PlanCost.of(likeEvents, projections);
        List<Projection> withoutUserLikes = projections.stream().filter(p -> !p.name().equals("user-likes")).toList();
        r.plannedLikesWithoutUserLikes = PlanCost.of(likeEvents, withoutUserLikes);
        r.guardedAll = PlanCost.guarded(events, projections);
        r.guardedAllBehind = PlanCost.guarded(events, projections, 5000);
        r.guardedLikesBehind = PlanCost.guarded(likeEvents, withoutUserLikes, 5000);
        r.naiveAll = NaiveApplier.plannedUnitsPerRecord(events, projections);
        r.naiveAllWithoutUserLikes = NaiveApplier.plannedUnitsPerRecord(events, withoutUserLikes);
        r.naiveLikesWithoutUserLikes = NaiveApplier.plannedUnitsPerRecord(likeEvents, withoutUserLikes);
        r.guardedAllWithoutUserLikes = PlanCost.guarded(events, withoutUserLikes);
        r.guardedLikesWithoutUserLikes = PlanCost.guarded(likeEvents, withoutUserLikes);
        r.plannedAllWithoutUserLikes = PlanCost.of(events, withoutUserLikes);
    }

    /**
     * Backfill against a raw Scan of the same table: a copy of the source's first items in a table
     * written before its stream was enabled, on a DynamoDB Local of its own (one that already holds a
     * large stream slows down many times over), with a worker joining the hand-off in this process.
     */
    private void backfill(DynamoDbClient source, List<Projection> projections, Results r) throws Exception {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (var page : source.scanPaginator(ScanRequest.builder().tableName(SOURCE).limit(1000).build())) {
            items.addAll(page.items().subList(0, Math.min(page.items().size(), backfillItems - items.size())));
            if (items.size() >= backfillItems) {
                break;
            }
        }
        try (EmbeddedDynamo.Started local = EmbeddedDynamo.start("projector bench", null, 0);
             DynamoDbClient dynamo = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(EmbeddedDynamo.CREDENTIALS)
                     .endpointOverride(local.endpoint()).build()) {
            Tables.createSourceTable(dynamo, LEGACY_SOURCE);
            dynamo.updateTable(b -> b.tableName(LEGACY_SOURCE).streamSpecification(StreamSpecification.builder().streamEnabled(false).build()));
            new SourceTableWriter(dynamo, LEGACY_SOURCE).putAll(items);
            dynamo.updateTable(b -> b.tableName(LEGACY_SOURCE).streamSpecification(StreamSpecification.builder()
                    .streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES).build()));
            Tables.createReadModelTable(dynamo, LEGACY_READ_MODEL);
            Tables.createLeaseTable(dynamo, LEGACY_APPLICATION);
            ProjectorConfig config = config(local, LEGACY_APPLICATION, LEGACY_SOURCE, LEGACY_READ_MODEL).build();
            try (Projector worker = Projector.start(config, projections)) {
                BackfillProgress done = Backfill.start(config, projections, BackfillConfig.builder().segments(4)
                        .readUnitsPerSecond(1_000_000).joinTimeout(WAIT).build()).await();
                r.backfillItems = done.scanned();
                r.backfillApplied = done.applied();
                r.backfillRate = done.itemsPerSecond();
            }
            RawScan.Result raw = RawScan.run(dynamo, LEGACY_SOURCE, 4, 500);
            r.backfillRawScanRate = raw.itemsPerSecond();
        }
    }

    /** A parallel Scan of the source table, four segments, consistent reads: what a backfill could read at most. */
    private static void scan(DynamoDbClient dynamo, Results r) throws Exception {
        LongAdder items = new LongAdder();
        List<Runnable> segments = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            int segment = s;
            segments.add(() -> dynamo.scanPaginator(ScanRequest.builder().tableName(SOURCE).segment(segment).totalSegments(4)
                    .consistentRead(true).build()).forEach(page -> items.add(page.count())));
        }
        long start = System.nanoTime();
        SourceTableWriter.inParallel(segments);
        r.scanSeconds = seconds(start);
        r.scanItems = items.sum();
    }

    private static void await(BooleanSupplier condition, String what) {
        await(condition, what, WAIT);
    }

    private static void await(BooleanSupplier condition, String what, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("bench: gave up after " + limit.toSeconds() + " s waiting for " + what);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    /** The figures of one run, filled in phase by phase. */
    static final class Results {
        double rawWriteRate;
        long backfillItems;
        long backfillApplied;
        double backfillRate;
        double backfillRawScanRate;
        double rawReadRate;
        double ceilingStartSeconds;
        BenchWorkload.Mix mix;
        double backlogSeconds;
        double firstStartSeconds;
        double drainSeconds;
        ProjectorStats drainStats;
        double projectorUnits;
        long projectorTransactions;
        long projectorActions;
        long drainPeakRss;
        long peakRss;
        NaiveApplier naive;
        double naiveSeconds;
        long streamRecords;
        PlanCost.Cost plannedAll;
        PlanCost.Cost plannedLikes;
        PlanCost.Cost plannedLikesWithoutUserLikes;
        PlanCost.Cost plannedAllWithoutUserLikes;
        PlanCost.GuardedCost guardedAll;
        PlanCost.GuardedCost guardedAllBehind;
        PlanCost.GuardedCost guardedLikesBehind;
        PlanCost.GuardedCost guardedAllWithoutUserLikes;
        PlanCost.GuardedCost guardedLikesWithoutUserLikes;
        Drain guarded;
        /** The guarded drain packed into transactions, as DynamoDB Local gets it by default, and its worker's config. */
        Drain packed;
        ProjectorConfig packedConfig;
        LagMeter.Result guardedLag;
        double naiveAll;
        double naiveAllWithoutUserLikes;
        double naiveLikesWithoutUserLikes;
        GuardedCostMeter guardedMeter;
        double restartSeconds;
        LagMeter.Result lag;
        double scanSeconds;
        long scanItems;

        double drainRate() {
            return drainStats.eventsSeen() / drainSeconds;
        }

        double naiveRate() {
            return naive.records() / naiveSeconds;
        }

        double projectorUnitsPerRecord() {
            return projectorUnits / mix.changes();
        }

        double naiveUnitsPerRecord() {
            return naive.estimatedUnits() / naive.records();
        }

        double guardedUnitsPerRecord() {
            return guardedMeter.units() / mix.changes();
        }
    }

    /** Prints the figures as they come, then the ratios and the targets. */
    static final class Report {
        private final PrintStream out;

        Report(PrintStream out) {
            this.out = out;
        }

        void header(long seed, long changes, int ceilingItems, int lagRate, int lagSeconds) {
            Runtime rt = Runtime.getRuntime();
            out.printf("Projector bench, %s%n", Instant.now().truncatedTo(ChronoUnit.SECONDS));
            out.printf("  machine: %d cores, %s %s, Java %s, max heap %,d MiB; DynamoDB Local (in memory) in this process%n",
                    rt.availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                    System.getProperty("java.version"), rt.maxMemory() / MIB);
            out.printf("  seed %d, backlog %,d changes, ceilings %,d items, lag at %d changes/s for %d s%n",
                    seed, changes, ceilingItems, lagRate, lagSeconds);
        }

        void ceiling(Results r) {
            out.println("1. ceiling of this machine");
            out.printf("  raw BatchWriteItem into a stream-enabled table (25 items a call, 4 threads): %,.0f items/s%n", r.rawWriteRate);
            out.printf("  raw stream read through the KCL, a projection that writes nothing: %,.0f records/s "
                    + "(first record %.1f s after start, a new application)%n", r.rawReadRate, r.ceilingStartSeconds);
        }

        void backlog(Results r) {
            out.printf("  backlog: %,d changes written in %.1f s (%d rounds of customers, orders with 1-5 lines, status changes, "
                    + "deleted orders, likes with a third on 3 hot posts, unlikes)%n", r.mix.changes(), r.backlogSeconds, r.mix.rounds());
        }

        void drain(Results r, List<Projection> projections) {
            ProjectorStats s = r.drainStats;
            out.printf("2. Projector draining the backlog, projections %s%n", projections.stream().map(Projection::name).toList());
            out.printf("  %,d records in %.1f s (first record to caught up): %,.0f records/s%n", s.eventsSeen(), r.drainSeconds, r.drainRate());
            out.printf("  %,d transactions, %,d item writes + %,d watermark writes: %.2f write requests (transaction actions) per record%n",
                    s.chunksCommitted(), s.itemWrites(), s.watermarkWrites(),
                    (double) (s.itemWrites() + s.watermarkWrites()) / r.mix.changes());
            out.printf("  write units: %.2f per record by DynamoDB's pricing rules (2 per transactional item write of up to 1 KB); "
                    + "DynamoDB Local reported %.2f per record, but its transaction figure does not grow with the items in it%n",
                    r.projectorUnitsPerRecord(), s.consumedWriteUnits() / r.mix.changes());
            out.printf("  peak RSS while draining %,d MiB (worker and embedded DynamoDB Local together); process peak so far (VmHWM) %,d MiB%n",
                    r.drainPeakRss / MIB, r.peakRss / MIB);
        }

        void guarded(Results r) {
            Drain d = r.guarded;
            GuardedCostMeter m = r.guardedMeter;
            out.println("2b. the same backlog drained by a second application with --commit-mode guarded --guarded-packing single "
                    + "(one conditional write per item, no transaction)");
            out.printf("  %,d records in %.1f s (first record to caught up): %,.0f records/s, %.2f x the transactional drain%n",
                    d.stats().eventsSeen(), d.seconds(), d.rate(), d.rate() / r.drainRate());
            out.printf("  %,d single-item writes (%,d refused by their guard), %,d tombstones: %.2f write units per record by the pricing "
                    + "rules (1 per write of up to 1 KB, refused ones too, and 1 per tombstone for its sweep)%n",
                    m.requests(), m.refused(), m.tombstones(), r.guardedUnitsPerRecord());
            out.printf("  peak RSS while draining %,d MiB%n", d.peakRss() / MIB);
            Drain p = r.packed;
            out.printf("  packed (--guarded-packing auto on DynamoDB Local: the same conditional writes in transactions of up to 100, "
                    + "twice the write units on AWS): %,d records in %.1f s: %,.0f records/s, %.2f x the transactional drain, "
                    + "%.2f x single requests%n", p.stats().eventsSeen(), p.seconds(), p.rate(), p.rate() / r.drainRate(), p.rate() / d.rate());
        }

        void naive(Results r) {
            NaiveApplier n = r.naive;
            out.println("3. naive baseline: same projections, one change at a time, one PutItem/UpdateItem/DeleteItem per write, no coalescing");
            out.printf("  %,d of %,d records in %.1f s: %,.0f records/s; %,d requests (%.2f per record)%n",
                    n.records(), r.streamRecords, r.naiveSeconds, r.naiveRate(), n.requests(), (double) n.requests() / n.records());
            out.printf("  write units: %.2f per record by the pricing rules (1 per standard write up to 1 KB); DynamoDB Local reported %.2f%n",
                    r.naiveUnitsPerRecord(), n.reportedUnits() / n.records());
        }

        void likeHeavy(Results r) {
            out.printf("  planned offline from all %,d stream records in 1,000-record batches: %.2f write units per record "
                    + "(the live drain measured %.2f)%n", r.plannedAll.changes(), r.plannedAll.unitsPerChange(), r.projectorUnitsPerRecord());
            out.printf("  like-heavy part (%,d Post and Like changes): %.2f write units per record with user-likes, %.2f without%n",
                    r.plannedLikes.changes(), r.plannedLikes.unitsPerChange(), r.plannedLikesWithoutUserLikes.unitsPerChange());
            out.println("  write units per record, planned offline over the same records: naive (not exact) | transactional | guarded "
                    + "(tombstone sweeps included) | guarded, windows of 5 batches as while behind");
            out.printf("    all records, all projections: %.3f | %.3f | %.3f | %.3f%n", r.naiveAll, r.plannedAll.unitsPerChange(),
                    r.guardedAll.unitsPerChange(), r.guardedAllBehind.unitsPerChange());
            out.printf("    all records, without user-likes: %.3f | %.3f | %.3f%n", r.naiveAllWithoutUserLikes,
                    r.plannedAllWithoutUserLikes.unitsPerChange(), r.guardedAllWithoutUserLikes.unitsPerChange());
            out.printf("    Post and Like records, without user-likes: %.3f | %.3f | %.3f | %.3f%n", r.naiveLikesWithoutUserLikes,
                    r.plannedLikesWithoutUserLikes.unitsPerChange(), r.guardedLikesWithoutUserLikes.unitsPerChange(),
                    r.guardedLikesBehind.unitsPerChange());
        }

        void startup(Results r, boolean skipped) {
            out.println("5. start-up, worker start to first record projected");
            out.printf("  first start (new application): %.1f s (first leases written before the scheduler starts: no random wait)%n",
                    r.firstStartSeconds);
            if (skipped) {
                out.println("  restart: skipped (--skip-startup)");
            } else {
                out.printf("  restart (same application): %.1f s%n", r.restartSeconds);
            }
        }

        void lag(Results r, int rate, int seconds) {
            LagMeter.Result lag = r.lag;
            out.printf("4. lag at %d changes/s for %d s (achieved %,.0f/s); every 10th change an order status change, "
                    + "timed from its write until the read model shows it%n", rate, seconds, lag.rate());
            out.print("  transactional: ");
            probes(lag);
            if (r.guardedLag != null) {
                out.printf("  guarded, packed (achieved %,.0f/s): ", r.guardedLag.rate());
                probes(r.guardedLag);
            }
        }

        private void probes(LagMeter.Result lag) {
            if (lag.lagsMillis().isEmpty()) {
                out.printf("no probe showed up within 10 s (%d probes)%n", lag.unresolved());
                return;
            }
            Percentiles p = Percentiles.of(lag.lagsMillis());
            out.printf("%,d probes: p50 %d ms, p99 %d ms, max %d ms%s%n", p.count(), p.p(50), p.p(99), p.max(),
                    lag.unresolved() > 0 ? "; " + lag.unresolved() + " not seen within 10 s" : "");
        }

        void backfill(Results r) {
            out.println("6. backfill");
            if (r.backfillItems == 0) {
                out.println("  backfill: skipped (--backfill-items 0)");
            } else {
                out.printf("  backfill of %,d items written before their table's stream (a DynamoDB Local of its own, all projections, "
                        + "4 segments): %,.0f items/s, %,d (projection, item) pairs applied%n", r.backfillItems, r.backfillRate, r.backfillApplied);
                out.printf("  raw parallel Scan of that same table (4 segments, consistent reads): %,.0f items/s; backfill / raw Scan = %.3f%n",
                        r.backfillRawScanRate, r.backfillRate / r.backfillRawScanRate);
            }
            out.printf("  raw parallel Scan of the source table (4 segments, consistent reads): %,d items in %.1f s: %,.0f items/s%n",
                    r.scanItems, r.scanSeconds, r.scanItems / r.scanSeconds);
        }

        void ratios(Results r) {
            double ofCeiling = r.drainRate() / r.rawWriteRate;
            double ofNaive = r.drainRate() / r.naiveRate();
            out.println("ratios");
            out.printf("  Projector / raw BatchWriteItem ceiling: %.2f (%,.0f / %,.0f records/s)%n", ofCeiling, r.drainRate(), r.rawWriteRate);
            out.printf("  Projector / naive baseline: %.1f (%,.0f / %,.0f records/s)%n", ofNaive, r.drainRate(), r.naiveRate());
            out.printf("  write units per record, Projector vs naive: %.2f vs %.2f%n", r.projectorUnitsPerRecord(), r.naiveUnitsPerRecord());
            out.println("targets (goals, not asserts)");
            target("drain at or above the raw write ceiling", String.format("%.2f x", ofCeiling), ofCeiling >= 1);
            target("at least 5x the naive baseline", String.format("%.1f x", ofNaive), ofNaive >= 5);
            // The guarded drain's own units (windows of up to five batches while behind), against the naive consumer's over all records.
            double guardedOfNaive = r.guardedUnitsPerRecord() / r.naiveAll;
            target("guarded: <= 0.7x the naive consumer's write units, all projections (the guarded drain)",
                    String.format("%.2f x (%.3f vs %.3f; %.2f x in windows of one batch, at the tip)", guardedOfNaive, r.guardedUnitsPerRecord(),
                            r.naiveAll, r.guardedAll.unitsPerChange() / r.naiveAll), guardedOfNaive <= 0.7);
            target("guarded: <= 0.25 write units per record, Post and Like records without user-likes (planned)",
                    String.format("%.3f", r.guardedLikesWithoutUserLikes.unitsPerChange()), r.guardedLikesWithoutUserLikes.unitsPerChange() <= 0.25);
            double guardedDrain = r.packed.rate() / r.drainRate();
            target("guarded (packed on DynamoDB Local): drain >= 1.4x the transactional drain",
                    String.format("%.2f x (single requests %.2f x)", guardedDrain, r.guarded.rate() / r.drainRate()), guardedDrain >= 1.4);
            target("<= 0.5 write units per record, like-heavy part without user-likes",
                    String.format("%.2f (with user-likes %.2f)", r.plannedLikesWithoutUserLikes.unitsPerChange(), r.plannedLikes.unitsPerChange()),
                    r.plannedLikesWithoutUserLikes.unitsPerChange() <= 0.5);
            if (!r.lag.lagsMillis().isEmpty()) {
                long p99 = Percentiles.of(r.lag.lagsMillis()).p(99);
                target("lag p99 <= 250 ms at " + Math.round(r.lag.rate()) + " changes/s", p99 + " ms", p99 <= 250 && r.lag.unresolved() == 0);
                if (r.guardedLag != null && !r.guardedLag.lagsMillis().isEmpty()) {
                    long guardedP99 = Percentiles.of(r.guardedLag.lagsMillis()).p(99);
                    target("guarded (packed): lag p99 no worse than transactional", guardedP99 + " ms vs " + p99 + " ms",
                            guardedP99 <= p99 && r.guardedLag.unresolved() == 0);
                }
            }
            target("first record within 5 s of start (new application)", String.format("%.1f s", r.firstStartSeconds), r.firstStartSeconds <= 5);
            if (r.restartSeconds > 0) {
                target("first record within 1 s of start (restart)", String.format("%.1f s", r.restartSeconds), r.restartSeconds <= 1);
            }
            target("RSS <= 512 MiB while draining (DynamoDB Local included)", r.drainPeakRss / MIB + " MiB", r.drainPeakRss <= 512 * MIB);
        }

        private void target(String goal, String figure, boolean met) {
            out.printf("  %-70s %-28s %s%n", goal, figure, met ? "met" : "MISSED");
        }
    }
}
