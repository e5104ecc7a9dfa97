package io.projector.runner;

import io.projector.Projection;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorConfig;
import io.projector.ops.Tables;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/** {@code projector run}: the long-running worker. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the projection worker until SIGTERM or SIGINT, then stop gracefully (exit 0).")
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
    /** ECS kills a task 30 s after SIGTERM; this leaves room for the JVM's exit and a slow signal. */
    static final Duration STOP_BUDGET = Duration.ofSeconds(20);

    @Mixin WorkerOptions worker;

    @Mixin StartPositionOption start;

    @Mixin CreateTablesOption tables;

    @Mixin ServingOptions serving;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        validate();
        try (Telemetry telemetry = new Telemetry()) {
            return work(telemetry);
        }
    }

    /** Checks every value before anything starts; a wrong one fails in one line naming the setting and what is allowed. */
    private void validate() {
        serving.check(this::setting, worker.connection.local);
        worker.check(this::setting);
        start.latest(this::setting);
    }

    /** How to name a setting in a message: its flag, or the variable or file line that gave its value. */
    private String setting(String key) {
        return SettingsProvider.name(spec, key);
    }

    /** Where a setting's value came from: flag, the variable's name, "KEY in FILE:LINE", or default. */
    private String origin(String key) {
        String named = setting(key);
        if (!named.equals("--" + key)) {
            return named;
        }
        boolean given = spec != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--" + key);
        return given ? "flag" : "default";
    }

    /** Every setting with its value and where it came from; credentials only as the provider's type. */
    private String effectiveConfiguration(Connection connection) {
        StringJoiner out = new StringJoiner(", ");
        if (spec != null) {
            for (OptionSpec option : spec.options()) {
                String key = SettingsProvider.key(option);
                if (key.equals("help") || key.equals("version")) {
                    continue;
                }
                Object value = option.getValue();
                String shown = value == null ? "-" : value instanceof Collection<?> c ? String.join(",", c.stream().map(String::valueOf).toList()) : value.toString();
                out.add(key + "=" + shown + " (" + origin(key) + ")");
            }
        }
        out.add("region used=" + connection.region());
        out.add("credentials=" + connection.credentials().getClass().getSimpleName());
        return out.toString();
    }

    private Integer work(Telemetry telemetry) throws Exception {
        List<Projection> selected = worker.selected(this::setting);
        ShutdownSignal signal = new ShutdownSignal();
        WorkerHealth health = new WorkerHealth();
        ConnectionOptions where = worker.connection;
        // Bound before anything starts, so that a busy port or a host that is not this machine's fails here in
        // one line instead of after the worker started and had to stop again. Until the worker runs, /health
        // and /ready answer 503 "starting".
        try (HealthServer http = HealthServer.start(serving.httpHost.trim(), serving.httpPort, health, telemetry::scrape);
             Connection connection = where.connect(this::setting)) {
            ProjectorConfig.Builder builder = worker.config(connection, this::setting).startAtLatest(start.latest(this::setting));
            builder.meterRegistry(telemetry.registry())
                    .kclMetricsLevel(ProjectorConfig.KclMetricsLevel.valueOf(serving.kclMetrics.trim().toUpperCase(Locale.ROOT)));
            ProjectorConfig config = builder.build();
            log.info("configuration: {}", effectiveConfiguration(connection));
            if (serving.cloudWatch()) {
                String namespace = serving.cloudwatchNamespace.trim();
                telemetry.publishToCloudWatch(namespace, connection.region(), connection.credentials(), Duration.ofMinutes(1));
                log.info("metrics also go to CloudWatch namespace '{}' in {} every minute", namespace, connection.region());
            }
            if (where.local) {
                Tables.createSourceTable(connection.dynamo(), config.sourceTable());
                log.info("embedded DynamoDB Local at {} (data in {})", connection.endpoint(),
                        where.dataDir.orElse(DataDirOption.LOCAL_DEFAULT).toAbsolutePath());
            }
            if (tables.createTables || where.local) {
                Tables.createReadModelTable(connection.dynamo(), config.readModelTable());
                Tables.createLeaseTable(connection.dynamo(), config.applicationName());
            }
            Projector projector = Projector.start(config, selected);
            health.running(projector);
            log.info("health, readiness and metrics on http://{} (/health, /ready, /metrics)", http.address());
            String received;
            while ((received = signal.await(1000)) == null) {
                if (!projector.isRunning()) {
                    log.error("the worker stopped by itself; see the errors above");
                    projector.stop(Duration.ofSeconds(5));
                    health.stopped();
                    return 1;
                }
            }
            log.info("{} received: stopping gracefully", received);
            health.stopping();
            boolean clean = projector.stop(STOP_BUDGET);
            health.stopped();
            log.info("stopped {}; {}", clean ? "cleanly" : "after the timeout", projector.stats());
            return 0;
        }
    }
}
