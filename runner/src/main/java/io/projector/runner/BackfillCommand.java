package io.projector.runner;

import io.projector.ops.Backfill;
import io.projector.ops.BackfillConfig;
import io.projector.ops.BackfillProgress;
import io.projector.Projection;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorConfig;
import io.projector.ops.Tables;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code projector backfill}: build projections from the source table itself, handed off to the live stream exactly. */
@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = {"Build projections from what the source table holds: a parallel, rate-limited, consistent Scan through the "
                + "same plan/commit path as the stream, resumable, handed off to the live stream without gap or double count.",
                "Start it before the worker that runs the projections (or with --run-worker): the scan waits until that worker joins."})
final class BackfillCommand implements Callable<Integer> {

    @Mixin WorkerOptions where;
    @Mixin BackfillOptions scan;
    @Mixin CreateTablesOption tables;
    @Spec CommandSpec spec;

    @Option(names = "--run-worker", defaultValue = "false",
            description = "Also run a worker for the projections in this process, under --application-name, with run's tuning flags "
                    + "(implied by --local).")
    boolean runWorker;

    @Option(names = "--compare-raw-scan", defaultValue = "false",
            description = "Afterwards, time a plain parallel Scan of the source table (same segments, no rate limit) and print both rates.")
    boolean compareRawScan;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        where.check(this::setting);
        List<Projection> selected = where.selected(this::setting);
        BackfillConfig options = scan.config("backfill");
        ShutdownSignal signal = new ShutdownSignal();
        boolean local = where.connection.local;
        try (Connection c = where.connect(this::setting)) {
            ProjectorConfig config = where.config(c, this::setting).build();
            if (local || tables.createTables) {
                // As `run --local` and `run --create-tables` do: the worker's tables, created when missing.
                Tables.createReadModelTable(c.dynamo(), config.readModelTable());
                Tables.createLeaseTable(c.dynamo(), config.applicationName());
            }
            Projector worker = runWorker || local ? Projector.start(config, selected) : null;
            try {
                Backfill backfill = Backfill.start(config, selected, options);
                ProgressLine line = new ProgressLine(out, LogSettings.stdoutIsTerminal());
                while (!backfill.isDone()) {
                    if (signal.await(500) != null) {
                        backfill.stop();
                    }
                    line.show(backfill.progress());
                }
                BackfillProgress done = backfill.await();
                line.done(done);
                if (!done.phase().equals("COMPLETE")) {
                    out.println("stopped after " + String.format("%,d", done.scanned()) + " items; run the same command again to resume");
                    return 1;
                }
                out.printf("backfill of %s complete: %,d items scanned (%,d by earlier runs), %,d (projection, item) pairs applied by the scan, %,.0f items/s, %,.0f read units%n",
                        selected.stream().map(Projection::name).toList(), done.scanned(), done.resumedFrom(), done.applied(),
                        done.itemsPerSecond(), done.readUnits());
                if (compareRawScan) {
                    RawScan.Result raw = RawScan.run(c.dynamo(), config.sourceTable(), options.segments(), options.pageSize());
                    out.printf("raw parallel Scan of %s (%d segments, consistent, no rate limit): %,d items in %.1f s, %,.0f items/s; "
                            + "the backfill ran at %.0f%% of that%n", config.sourceTable(), options.segments(), raw.items(),
                            raw.seconds(), raw.itemsPerSecond(), 100 * done.itemsPerSecond() / Math.max(1, raw.itemsPerSecond()));
                }
                if (worker != null) {
                    out.println("the worker in this process stops now; `projector run` with the same application goes on from its checkpoints");
                }
                return 0;
            } finally {
                if (worker != null) {
                    worker.stop(Duration.ofSeconds(20));
                }
            }
        }
    }

    private String setting(String key) {
        return SettingsProvider.name(spec, key);
    }
}
