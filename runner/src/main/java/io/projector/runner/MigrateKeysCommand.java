package io.projector.runner;

import io.projector.ops.KeyMigration;
import io.projector.Projection;
import io.projector.ops.Tables;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code projector migrate-keys}: moves an application's engine items to the keys that name it, once. */
@Command(name = "migrate-keys", mixinStandardHelpOptions = true,
        description = {"Move one application's engine items (watermarks, dead letters, backfill state, hand-off markers, shard reports) "
                + "from the keys every application of a read-model table shared (PROJECTOR#WATERMARK#..., PROJECTOR#DLQ) to its own "
                + "(PROJECTOR#<application>#...). Stop the application's workers first.",
                "Takes watermarks and dead letters of the shards of the source table's stream and of the application's lease table, and "
                + "the per-projection items of the projections named; prints what it moved and what it left. Each item is copied to a free "
                + "key, then deleted if unchanged; run again after an interruption."})
final class MigrateKeysCommand implements Callable<Integer> {

    @Mixin ConnectionOptions connection;
    @Mixin TableOptions tables;
    @Mixin ProjectionOptions projections;
    @Spec CommandSpec spec;

    @Option(names = "--dry-run", description = "Only say what would move and what would stay; write nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        connection.check(this::setting);
        tables.requireBoth(connection.local, this::setting);
        String application = tables.application(this::setting);
        List<String> names = projections.selected(this::setting).stream().map(Projection::name).toList();
        try (Connection c = connection.connect(this::setting)) {
            if (!Tables.exists(c.dynamo(), tables.readModelTable)) {
                throw new IllegalArgumentException("read-model table '" + tables.readModelTable + "' does not exist");
            }
            KeyMigration.Result r = KeyMigration.run(WorkerOptions.base(tables, projections, c).build(), names, dryRun);
            out.printf("%s engine items of application %s for %s in %s to PROJECTOR#%s#...%n", dryRun ? "would move" : "moved",
                    application, names, tables.readModelTable, application);
            r.moved().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> out.printf("  %-18s %,d%n", e.getKey(), e.getValue()));
            out.printf("  %-18s %,d%n", "total", r.movedTotal());
            if (!r.left().isEmpty()) {
                out.println(dryRun ? "would leave under the old keys:" : "left under the old keys:");
                r.left().forEach(line -> out.println("  " + line));
            }
            return 0;
        }
    }

    private String setting(String key) {
        return SettingsProvider.name(spec, key);
    }
}
