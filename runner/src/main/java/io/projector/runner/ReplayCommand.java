package io.projector.runner;

import io.projector.Projection;
import io.projector.worker.ProjectorConfig;
import io.projector.worker.ProjectorStats;
import io.projector.ops.Replay;
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

/** {@code projector replay}: re-run projections over what the stream still holds, beside the live worker. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Re-run projections over what the stream still holds (TRIM_HORIZON, at most 24 hours) under an application "
                + "of its own, into the live read-model table or a new one; stops when it has caught up with the stream.",
                "Into a table where a projection has watermarks, what is at or below them is skipped: nothing is applied twice."})
final class ReplayCommand implements Callable<Integer> {

    @Mixin WorkerOptions where;
    @Spec CommandSpec spec;

    @Mixin NewTableOption into;

    @Option(names = "--replay-application-name",
            description = "The replay's KCL application (default <application>-replay-<epoch seconds>: a fresh one reads from TRIM_HORIZON).")
    String replayApplication;

    @Mixin TimeoutOption timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        where.check(this::setting);
        long timeoutSeconds = timeout.orElse(3600);
        String newTable = into.newTable;
        List<Projection> selected = where.selected(this::setting);
        ShutdownSignal signal = new ShutdownSignal();
        try (Connection c = where.connect(this::setting)) {
            ProjectorConfig live = where.config(c, this::setting).build();
            String target = newTable != null ? newTable : live.readModelTable();
            if (newTable != null) {
                Tables.createReadModelTable(c.dynamo(), newTable);
            } else if (!Tables.exists(c.dynamo(), target)) {
                throw new IllegalArgumentException("read-model table '" + target + "' does not exist");
            }
            String app = replayApplication != null ? replayApplication : live.applicationName() + "-replay-" + System.currentTimeMillis() / 1000;
            long start = System.currentTimeMillis();
            try (Replay replay = Replay.start(live, selected, target, app)) {
                out.printf("replaying %s from TRIM_HORIZON into %s under application %s%n",
                        selected.stream().map(Projection::name).toList(), target, app);
                long deadline = start + timeoutSeconds * 1000;
                while (!replay.caughtUp()) {
                    if (signal.await(500) != null) {
                        out.println("interrupted; the replay's application keeps its checkpoints: run again with --replay-application-name " + app);
                        return 1;
                    }
                    if (System.currentTimeMillis() > deadline) {
                        out.println("not caught up after " + timeoutSeconds + " s; run again with --replay-application-name " + app + " to go on");
                        return 1;
                    }
                }
                ProjectorStats s = replay.stats();
                double seconds = (System.currentTimeMillis() - start) / 1000.0;
                out.printf("caught up in %.1f s: %,d stream records, %,d transactions, %,d item writes, %,d already applied (skipped)%n",
                        seconds, s.eventsSeen(), s.chunksCommitted(), s.itemWrites(), s.chunksAlreadyApplied());
                out.println("the replay's application " + app + " and its lease tables can be deleted");
                return 0;
            }
        }
    }

    private String setting(String key) {
        return SettingsProvider.name(spec, key);
    }
}
