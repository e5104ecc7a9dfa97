package io.projector.runner;

import io.projector.Projection;
import io.projector.worker.ProjectorConfig;
import io.projector.ops.ReadModelPointer;
import io.projector.ops.Rebuild;
import io.projector.ops.RebuildOptions;
import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code projector rebuild}: blue/green into a new table, cut over through the pointer readers resolve. */
@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {"Blue/green: build the projections into a new read-model table (stream from TRIM_HORIZON plus a backfill) "
                + "while the old table keeps serving, report when it has caught up, then cut over: the alias readers resolve "
                + "(ReadModelPointer) moves to the new table in one conditional write. The old table is left for you to drop.",
                "After the cut-over this process keeps the new table current until stopped; run `projector run` with the printed "
                + "application name to take over. Ctrl-C before the cut-over, then --cancel, removes what the rebuild created."})
final class RebuildCommand implements Callable<Integer> {

    @Mixin WorkerOptions where;
    @Mixin BackfillOptions scan;
    @Spec CommandSpec spec;

    @Option(names = "--alias", description = "The name readers resolve (default: --read-model-table's value).")
    String alias;

    @Mixin NewTableOption into;

    @Mixin PointerTableOption pointers;

    @Option(names = "--no-cut-over", defaultValue = "false", description = "Build and catch up, but leave the alias where it is.")
    boolean noCutOver;

    @Option(names = "--exit-after-cut-over", defaultValue = "false",
            description = "Exit after the cut-over instead of keeping the new table current (a worker under the printed application must take over).")
    boolean exitAfterCutOver;

    @Option(names = "--cancel", defaultValue = "false",
            description = "Delete what an interrupted rebuild into --new-table created (refused once the alias points at it).")
    boolean cancel;

    @Mixin TimeoutOption timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        where.check(this::setting);
        long timeoutSeconds = timeout.orElse(86_400);
        String newTable = into.newTable;
        String pointerTable = pointers.pointerTable;
        List<Projection> selected = where.selected(this::setting);
        if (cancel && newTable == null) {
            throw new IllegalArgumentException("--cancel needs --new-table: the table of the rebuild to remove");
        }
        ShutdownSignal signal = new ShutdownSignal();
        try (Connection c = where.connect(this::setting)) {
            ProjectorConfig live = where.config(c, this::setting).build();
            String name = alias != null ? alias : live.readModelTable();
            String target = newTable != null ? newTable
                    : live.readModelTable() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss"));
            RebuildOptions options = new RebuildOptions(name, target, pointerTable, scan.config("rebuild"));
            ReadModelPointer pointer = new ReadModelPointer(c.dynamo(), pointerTable);
            if (cancel) {
                Rebuild.deleteCreatedTables(c.dynamo(), pointer, options, options.applicationName(live.applicationName()));
                out.println("cancelled: removed '" + target + "' and its worker's tables; alias '" + name + "' still points at '"
                        + pointer.resolve(name) + "'");
                return 0;
            }
            try (Rebuild rebuild = Rebuild.start(live, selected, options)) {
                out.printf("rebuilding %s into '%s'; readers of alias '%s' stay on '%s' meanwhile%n",
                        selected.stream().map(Projection::name).toList(), target, name, rebuild.liveTable());
                ProgressLine line = new ProgressLine(out, LogSettings.stdoutIsTerminal());
                long deadline = System.currentTimeMillis() + timeoutSeconds * 1000;
                Rebuild.Phase phase;
                while ((phase = rebuild.phase()) != Rebuild.Phase.CAUGHT_UP) {
                    if (signal.await(500) != null || System.currentTimeMillis() > deadline) {
                        out.println();
                        out.println("stopped before the cut-over; readers never left '" + rebuild.liveTable() + "'. Remove the new table with: "
                                + "projector rebuild --cancel --new-table " + target + " (plus the same table flags)");
                        return 1;
                    }
                    if (phase == Rebuild.Phase.BACKFILLING) {
                        line.show(rebuild.backfillProgress());
                    }
                }
                line.done(rebuild.backfillProgress());
                out.println("'" + target + "' has caught up with the stream");
                if (noCutOver) {
                    out.println("not cutting over (--no-cut-over); stop this process to leave the new table as it is");
                } else {
                    rebuild.cutOver();
                    out.println("cut over: alias '" + name + "' now points at '" + target + "'; the old table is left for you to drop");
                }
                String green = rebuild.greenConfig().applicationName();
                out.println("to keep '" + target + "' current as a service: projector run --read-model-table " + target
                        + " --application-name " + green + " (same source and projections), then stop this process");
                if (exitAfterCutOver) {
                    return 0;
                }
                while (signal.await(1000) == null) {
                    if (!rebuild.worker().isRunning()) {
                        out.println("the new table's worker stopped by itself; see the errors above");
                        return 1;
                    }
                }
                out.println("stopping the new table's worker");
                return 0;
            }
        }
    }

    private String setting(String key) {
        return SettingsProvider.name(spec, key);
    }
}
