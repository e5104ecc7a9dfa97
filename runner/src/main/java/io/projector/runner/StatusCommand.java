package io.projector.runner;

import io.projector.ops.ReadModelStatus;
import io.projector.ops.Tables;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code projector status}: where each projection stands, per shard. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Per projection and shard: state (live, backfilling with %% and ETA, rebuilding, halted, MISSED CHANGES), watermark, "
                + "age of the last change applied, how far behind the stream, and dead letters waiting. Without --projections: the "
                + "projections that ran on the table under the application, plugin ones included, and a line naming the loaded ones that never "
                + "ran there.")
final class StatusCommand implements Callable<Integer> {

    @Mixin ConnectionOptions connection;
    @Mixin TableOptions tables;
    @Mixin ProjectionOptions projections;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        UnaryOperator<String> setting = key -> SettingsProvider.name(spec, key);
        connection.check(setting);
        // Status reads only the read-model table: the source table only names the default application.
        tables.requireReadModel(connection.local, setting);
        String application = tables.application(setting);
        String table = tables.readModelTable;
        boolean named = projections.projections != null && !projections.projections.isEmpty();
        List<String> loaded = projections.selected(setting).stream().map(io.projector.Projection::name).toList();
        try (Connection c = connection.connect(setting)) {
            if (!Tables.exists(c.dynamo(), table)) {
                throw new IllegalArgumentException("read-model table '" + table + "' does not exist");
            }
            // Without --projections: what ran here (plugin projections included, loaded or not); the loaded ones that never
            // ran are named in one line, neither "live" nor MISSED CHANGES, which would fail the exit code for what nobody runs.
            List<String> names = named ? loaded : ReadModelStatus.projectionsSeen(c.dynamo(), table, application, loaded);
            List<String> neverRan = named ? List.of() : loaded.stream().filter(p -> !names.contains(p)).toList();
            List<ReadModelStatus.ProjectionLine> lines = ReadModelStatus.read(c.dynamo(), table, application, names,
                    System.currentTimeMillis());
            out.println("read model " + table + ", application " + application);
            int halted = 0; // halted shards and projections that missed changes: both need someone
            for (ReadModelStatus.ProjectionLine p : lines) {
                out.printf("%s: %s, %d dead letters waiting%s%n", p.projection(), p.state(), p.deadLetters(),
                        p.backfill() == null ? "" : "; backfill " + p.backfill());
                if (p.shards().isEmpty() && !p.state().equals(ReadModelStatus.NEVER_RAN)) {
                    out.println("  no shard processed yet");
                }
                for (ReadModelStatus.ShardLine s : p.shards()) {
                    out.printf("  %-44s %-22s watermark %-22s last applied %-10s behind %-16s report %s%n", s.shardId(), s.state(),
                            s.watermark() == null ? "-" : abbreviate(s.watermark().toString()), ago(s.lastAppliedAge()),
                            s.behind() == null ? "?" : s.behind().isZero() ? "0 (at the tip)" : seconds(s.behind()),
                            s.reportAge() == null ? "none" : seconds(s.reportAge()) + " ago");
                    if (s.halted() != null) {
                        out.println("    halted: " + s.halted());
                        out.println("    " + retention(s.untilTrimmed()));
                        halted++;
                    }
                    if (s.missed() != null) {
                        out.println("    missed changes: " + s.missed());
                        halted++;
                    }
                }
            }
            if (!neverRan.isEmpty()) {
                out.println("never ran here (no watermark, no worker report, no backfill): " + String.join(", ", neverRan));
            }
            return halted > 0 ? 3 : 0;
        }
    }

    /** A halted shard loses what the stream trims (24 h after a change was written): say how long is left. */
    static String retention(Duration untilTrimmed) {
        if (untilTrimmed.isNegative() || untilTrimmed.isZero()) {
            return String.format("the stream has trimmed changes this shard never applied (the oldest was written %.1f h ago, "
                    + "past the 24 h retention): they are lost; fix the cause, restart, then rebuild the projection "
                    + "(projector rebuild)", 24 + untilTrimmed.negated().toMillis() / 3_600_000.0);
        }
        return String.format("the stream trims its oldest unapplied change in %.1f h (24 h retention): fix the cause and restart "
                + "before then, or those changes are lost", untilTrimmed.toMillis() / 3_600_000.0);
    }

    private static String ago(Duration d) {
        return d == null ? "never" : seconds(d) + " ago";
    }

    private static String seconds(Duration d) {
        return String.format("%.1f s", d.toMillis() / 1000.0);
    }

    private static String abbreviate(String seq) {
        return seq.length() <= 22 ? seq : "…" + seq.substring(seq.length() - 21);
    }
}
