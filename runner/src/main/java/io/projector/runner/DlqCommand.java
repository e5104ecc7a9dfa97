package io.projector.runner;

import io.projector.ops.DeadLetter;
import io.projector.ops.DeadLetters;
import io.projector.ops.Tables;
import java.io.PrintWriter;
import java.util.StringJoiner;
import java.util.function.UnaryOperator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code projector dlq}: see, re-drive and purge the changes parked in the dead-letter store. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "See what is parked in the dead-letter store and why; re-drive it after a fix; purge it.",
        subcommands = {DlqCommand.ListParked.class, DlqCommand.Show.class, DlqCommand.Redrive.class, DlqCommand.Purge.class})
final class DlqCommand {

    /** What every dlq subcommand shares: where the table is, and a connection for the length of the command. */
    abstract static class Subcommand implements Callable<Integer> {
        @Mixin ConnectionOptions connection;
        @Mixin TableOptions table;
        @Mixin PluginOptions plugins;
        @Spec CommandSpec spec;

        /** Checks the subcommand's own options before anything connects. */
        void check() {
        }

        abstract int run(DeadLetters letters, PrintWriter out);

        @Override
        public Integer call() {
            check();
            UnaryOperator<String> setting = key -> SettingsProvider.name(spec, key);
            connection.check(setting);
            table.requireReadModel(connection.local, setting);
            var projections = plugins.catalog(setting).select(null);
            try (Connection c = connection.connect(setting)) {
                if (!Tables.exists(c.dynamo(), table.readModelTable)) {
                    throw new IllegalArgumentException("read-model table '" + table.readModelTable + "' does not exist");
                }
                return run(new DeadLetters(c.dynamo(), table.readModelTable, table.application(setting), projections), spec.commandLine().getOut());
            }
        }
    }

    /** The subcommands that can work on one projection's letters only. */
    abstract static class Filtered extends Subcommand {
        @Option(names = "--projection", description = "Only this projection's.") String projection;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "One line per parked change: projection, change, item, reason.")
    static final class ListParked extends Filtered {

        @Override
        int run(DeadLetters letters, PrintWriter out) {
            java.util.List<DeadLetter> parked = letters.list(projection);
            parked.forEach(d -> out.println(d.sortKey() + "  " + d.summary()));
            out.println(parked.size() + " parked");
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Everything about one parked change.")
    static final class Show extends Subcommand {
        @Parameters(paramLabel = "KEY", description = "The key printed by 'dlq list'.") String key;

        @Override
        int run(DeadLetters letters, PrintWriter out) {
            DeadLetter d = letters.get(key)
                    .orElseThrow(() -> new IllegalArgumentException("no parked change with key '" + key + "'"));
            out.println("key:         " + d.sortKey());
            out.println("projection:  " + d.projection());
            out.println("shard:       " + d.shardId());
            out.println("item:        " + d.sourceKey());
            out.println("reason:      " + d.reason());
            out.println("error type:  " + d.errorType());
            out.println("parked at:   " + d.parkedAt());
            out.println("attempts:    " + d.attempts());
            d.handOffVersionAttribute().ifPresent(v -> out.println("hand-off:    parked during a backfill hand-off (version attribute '"
                    + v + "'), as a " + (d.scanned() ? "scan read: it stands at the version it read" : "stream change")
                    + "; a re-drive judges it by the hand-off rule"));
            d.event().ifPresentOrElse(e -> {
                out.println("change:      " + e.type() + " of " + e.entityType() + ", sequence number " + e.sequenceNumber()
                        + ", at " + e.approximateCreationTime());
                // The record as the stream gave it, in the JSON ProjectionTestKit.applyJson takes: a failure becomes a test in one paste.
                out.println("stream record (for ProjectionTestKit.applyJson):");
                out.println(StreamRecordJsonWriter.write(e));
            }, () -> out.println("change:      not re-drivable (undecodable, or its images were too large to keep)"));
            return 0;
        }
    }

    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = "Run parked changes through their projections again, item by item in the order they stand (a backfill's reads by version), "
                    + "changes parked during a backfill hand-off by its rule; each applied change leaves the store in the same transaction.")
    static final class Redrive extends Filtered {

        @Override
        int run(DeadLetters letters, PrintWriter out) {
            DeadLetters.RedriveResult r = letters.redrive(projection);
            out.printf("re-driven %d, failed again %d, still waiting behind those %d, not re-drivable %d%n",
                    r.redriven(), r.failedAgain(), r.stillWaiting(), r.notRedrivable());
            if (!r.withoutProjection().isEmpty()) {
                StringJoiner missing = new StringJoiner(", ");
                r.withoutProjection().forEach((name, count) -> missing.add(name + " (" + count + ")"));
                out.println("left parked, their projections are not loaded here: " + missing
                        + "; add the plugin jars that hold them with --plugins DIR (or PROJECTOR_PLUGINS) and re-drive again");
            }
            return r.failedAgain() == 0 && r.withoutProjection().isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "purge", mixinStandardHelpOptions = true,
            description = "Delete parked changes for good (their projections will never see them). Needs --yes.")
    static final class Purge extends Filtered {
        @Option(names = "--key", description = "Only this one (a key printed by 'dlq list').") String key;
        @Option(names = "--yes", description = "Confirm: the purged changes are lost to their projections.") boolean yes;

        @Override
        void check() {
            if (!yes) {
                throw new IllegalArgumentException("purge deletes parked changes for good: add --yes to confirm");
            }
        }

        @Override
        int run(DeadLetters letters, PrintWriter out) {
            if (key != null) {
                out.println(letters.purgeOne(key) ? "purged 1" : "no parked change with key '" + key + "'");
            } else {
                out.println("purged " + letters.purge(projection));
            }
            return 0;
        }
    }
}
