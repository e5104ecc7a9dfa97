package io.projector.runner;

import io.projector.Projection;
import io.projector.worker.ProjectorConfig;
import java.util.List;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Mixin;

/**
 * Everything a command that starts a worker takes (run, backfill, replay, rebuild): where DynamoDB
 * is, the tables, the projections and the worker's tuning, each group declared once.
 */
final class WorkerOptions {

    @Mixin ConnectionOptions connection;

    @Mixin TableOptions tables;

    @Mixin ProjectionOptions projections;

    @Mixin TuningOptions tuning;

    /**
     * Checks every value before anything starts.
     *
     * @param setting names a setting (its key) as the user gave it: flag, variable or file line
     */
    void check(UnaryOperator<String> setting) {
        connection.check(setting);
        tuning.check(setting);
        projections.check(setting);
        tables.requireBoth(connection.local, setting);
    }

    List<Projection> selected(UnaryOperator<String> setting) {
        return projections.selected(setting);
    }

    /** Connects; {@link #check} first, before anything slow such as loading plugins. */
    Connection connect(UnaryOperator<String> setting) {
        return connection.connect(setting);
    }

    /** The worker's configuration: tables, connection, routing and tuning. */
    ProjectorConfig.Builder config(Connection c, UnaryOperator<String> setting) {
        ProjectorConfig.Builder builder = base(tables, projections, c);
        tuning.applyTo(builder, setting);
        return builder;
    }

    /** What every command that names a worker's tables needs, with the fast timings on DynamoDB Local. */
    static ProjectorConfig.Builder base(TableOptions tables, ProjectionOptions projections, Connection c) {
        ProjectorConfig.Builder builder = ProjectorConfig.builder()
                .sourceTable(tables.sourceTable).readModelTable(tables.readModelTable).applicationName(tables.applicationName)
                .region(c.region()).endpoint(c.endpoint()).credentials(c.credentials())
                .entityTypeAttribute(projections.entityTypeAttribute);
        if (c.isLocal()) {
            builder.fastLocalTuning();
        }
        return builder;
    }
}
