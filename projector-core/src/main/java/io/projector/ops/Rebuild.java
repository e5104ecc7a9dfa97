package io.projector.ops;

import io.projector.Projection;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.store.AwsClients;
import io.projector.internal.store.BackfillStore;
import io.projector.internal.store.ShardStatusStore;
import io.projector.internal.store.StreamShards;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * A blue/green rebuild: a second worker (its own application) builds the projections into a new
 * read-model table, from the stream and a backfill of the source table, while the old table keeps
 * serving. When the new table has caught up, {@link #cutOver()} moves the alias readers resolve
 * in one conditional write. Before that, {@link #cancel()} stops and deletes the new table and
 * leaves everything readers use untouched. After it, this worker keeps the new table current
 * until stopped; the old table is the user's to drop.
 */
public final class Rebuild implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Rebuild.class);

    /** Where a rebuild stands. */
    public enum Phase { BACKFILLING, CATCHING_UP, CAUGHT_UP, CUT_OVER, CANCELLED }

    private final ProjectorConfig green;
    private final RebuildOptions options;
    private final String from;
    private final AwsClients clients;
    private final ReadModelPointer pointer;
    private final Backfill backfill;
    private final Projector worker;
    private final List<String> names;
    private final String streamArn;
    private volatile Phase phase = Phase.BACKFILLING;

    private Rebuild(ProjectorConfig live, List<Projection> projections, RebuildOptions options) throws InterruptedException {
        this.options = options;
        this.names = projections.stream().map(Projection::name).toList();
        this.clients = new AwsClients(live);
        DynamoDbClient dynamo = clients.dynamo();
        this.pointer = new ReadModelPointer(dynamo, options.pointerTable());
        pointer.createTable();
        this.from = pointer.resolve(options.alias());
        if (from.equals(options.newTable())) {
            clients.close();
            throw new IllegalArgumentException("alias '" + options.alias() + "' already points at '" + options.newTable() + "': rebuild into another table");
        }
        this.streamArn = dynamo.describeTable(b -> b.tableName(live.sourceTable())).table().latestStreamArn();
        this.green = live.retarget(options.newTable(), options.applicationName(live.applicationName()));
        Tables.createReadModelTable(dynamo, green.readModelTable());
        Tables.createLeaseTable(dynamo, green.applicationName());
        // The backfill registers first, so the new worker applies even its first change by the hand-off rule.
        this.backfill = Backfill.start(green, projections, options.backfill());
        while (backfill.progress().phase().equals("REGISTERING") && !backfill.isDone()) {
            Thread.sleep(50);
        }
        if (backfill.isDone()) {
            backfill.await();
        }
        this.worker = Projector.start(green, projections);
        log.info("rebuilding {} into '{}' (application '{}'); readers stay on '{}' until the cut-over", projections.stream().map(Projection::name).toList(),
                green.readModelTable(), green.applicationName(), from);
    }

    /** Creates the new table and starts its worker and backfill. */
    public static Rebuild start(ProjectorConfig live, List<Projection> projections, RebuildOptions options) throws InterruptedException {
        return new Rebuild(live, projections, options);
    }

    public Phase phase() {
        if (phase == Phase.BACKFILLING && backfill.isDone()) {
            phase = Phase.CATCHING_UP;
        }
        if (phase == Phase.CATCHING_UP && caughtUp()) {
            phase = Phase.CAUGHT_UP;
            log.info("the new table '{}' has caught up with the stream: ready to cut over", green.readModelTable());
        }
        return phase;
    }

    public BackfillProgress backfillProgress() {
        return backfill.progress();
    }

    /** The table readers use now (the old one until the cut-over). */
    public String liveTable() {
        return phase == Phase.CUT_OVER ? green.readModelTable() : from;
    }

    public ProjectorConfig greenConfig() {
        return green;
    }

    public Projector worker() {
        return worker;
    }

    /**
     * Caught up: the backfill is complete, no shard of the new worker halted, and every shard open
     * now was read to its tip after the scan ended. Closed shards are not waited on: a closed shard
     * has no tip to reach again, and its open child starts only once it is done.
     */
    private boolean caughtUp() {
        BackfillProgress done;
        try {
            done = backfill.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            throw new IllegalStateException("the rebuild's backfill failed: " + e.getMessage(), e);
        }
        if (!"COMPLETE".equals(done.phase())) {
            return false;
        }
        long finished = new BackfillStore(clients.dynamo(), green.readModelTable(), EngineKeys.of(green.engineApplication())).registrations(names).values().stream()
                .mapToLong(BackfillStore.Registration::finishedAtMillis).max().orElse(Long.MAX_VALUE);
        List<ShardStatusStore.Report> reports = new ShardStatusStore(clients.dynamo(), green.readModelTable(), EngineKeys.of(green.engineApplication())).of(green.applicationName());
        if (reports.stream().anyMatch(r -> r.halted() != null)) {
            return false;
        }
        Map<String, Long> tips = new HashMap<>();
        reports.forEach(r -> tips.put(r.shardId(), r.atTipAtMillis()));
        List<String> open = StreamShards.open(clients.streams(), streamArn);
        return !open.isEmpty() && open.stream().allMatch(s -> tips.getOrDefault(s, 0L) > finished);
    }

    /** Waits until the new table has caught up (true) or the timeout passed (false). */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (System.currentTimeMillis() < deadline) {
            Phase p = phase();
            if (p == Phase.CAUGHT_UP || p == Phase.CUT_OVER) {
                return true;
            }
            if (p == Phase.CANCELLED) {
                return false;
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** Points the alias at the new table: one conditional write; readers that resolve it from now on read the new table. */
    public void cutOver() {
        if (phase() != Phase.CAUGHT_UP) {
            throw new IllegalStateException("the new table '" + green.readModelTable() + "' has not caught up yet (" + phase + "): no cut-over");
        }
        pointer.switchTo(options.alias(), from, green.readModelTable());
        phase = Phase.CUT_OVER;
        log.info("cut over: alias '{}' now points at '{}'; '{}' is left for you to drop", options.alias(), green.readModelTable(), from);
    }

    /** Stops the new worker and deletes what the rebuild created; refused after the cut-over. Readers never noticed. */
    public void cancel() throws InterruptedException {
        if (phase == Phase.CUT_OVER) {
            throw new IllegalStateException("the rebuild was already cut over to '" + green.readModelTable() + "': nothing to cancel");
        }
        backfill.stop();
        try {
            backfill.await();
        } catch (RuntimeException e) {
            log.info("backfill ended: {}", e.getMessage());
        }
        worker.stop(Duration.ofSeconds(20));
        deleteCreatedTables(clients.dynamo(), pointer, options, green.applicationName());
        phase = Phase.CANCELLED;
    }

    /**
     * Deletes a rebuild's new table and its worker's KCL tables, unless the alias points at it. For
     * a rebuild whose process is gone (stopped with Ctrl-C before its cut-over).
     */
    public static void deleteCreatedTables(DynamoDbClient dynamo, ReadModelPointer pointer, RebuildOptions options, String greenApplication) {
        if (pointer.resolve(options.alias()).equals(options.newTable())) {
            throw new IllegalStateException("alias '" + options.alias() + "' points at '" + options.newTable()
                    + "': readers use it, so it is not deleted (that rebuild was cut over)");
        }
        for (String table : List.of(options.newTable(), greenApplication, greenApplication + "-CoordinatorState",
                greenApplication + "-WorkerMetricStats")) {
            try {
                dynamo.deleteTable(b -> b.tableName(table));
                log.info("deleted table '{}'", table);
            } catch (ResourceNotFoundException e) {
                // Not created (yet): nothing to delete.
            }
        }
    }

    /** Stops the new worker (after a cut-over, run it as a service under the same application to keep the table current). */
    @Override
    public void close() {
        backfill.stop();
        worker.stop(Duration.ofSeconds(20));
        clients.close();
    }
}
