package io.projector.runner;

import io.projector.Projection;
import io.projector.Projector;
import io.projector.ProjectorConfig;
import io.projector.Tables;
import java.nio.file.Path;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code projector run}: the long-running worker. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the projection worker until SIGTERM or SIGINT, then stop gracefully (exit 0).")
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
    /** ECS kills a task 30 s after SIGTERM; this leaves room for the JVM's exit and a slow signal. */
    static final Duration STOP_BUDGET = Duration.ofSeconds(20);

    @Option(names = "--source-table", defaultValue = "${env:PROJECTOR_SOURCE_TABLE}",
            description = "Table whose stream is projected (env PROJECTOR_SOURCE_TABLE).")
    String sourceTable;

    @Option(names = "--read-model-table", defaultValue = "${env:PROJECTOR_READ_MODEL_TABLE}",
            description = "Table the projections write (env PROJECTOR_READ_MODEL_TABLE).")
    String readModelTable;

    @Option(names = "--application-name", defaultValue = "${env:PROJECTOR_APPLICATION_NAME}",
            description = "KCL application name = lease table; workers with one name share the shards; it keys the engine's items in "
                    + "the read-model table (PROJECTOR#<application>#...) "
                    + "(env PROJECTOR_APPLICATION_NAME; default projector-<source table>).")
    String applicationName;

    @Option(names = "--region", defaultValue = "${env:PROJECTOR_REGION}",
            description = "AWS region (env PROJECTOR_REGION, else AWS_REGION).")
    String region;

    @Option(names = "--endpoint", defaultValue = "${env:PROJECTOR_ENDPOINT}",
            description = "Explicit DynamoDB endpoint, e.g. a DynamoDB Local you started: http://127.0.0.1:8000 (env PROJECTOR_ENDPOINT).")
    String endpoint;

    @Option(names = "--local", defaultValue = "${env:PROJECTOR_LOCAL:-false}",
            description = "Start the embedded DynamoDB Local (file-backed in --data-dir) and create the tables (env PROJECTOR_LOCAL).")
    boolean local;

    @Option(names = "--data-dir", defaultValue = "${env:PROJECTOR_DATA_DIR:-.projector-local}",
            description = "Where --local keeps its database (env PROJECTOR_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--local-port", defaultValue = "${env:PROJECTOR_LOCAL_PORT:-0}",
            description = "Port of the embedded DynamoDB Local on 127.0.0.1, for your service to write to (env PROJECTOR_LOCAL_PORT; default: a free one).")
    int localPort;

    @Option(names = "--projections", split = ",", defaultValue = "${env:PROJECTOR_PROJECTIONS}",
            description = "Comma-separated projection names (env PROJECTOR_PROJECTIONS; default: all found).")
    List<String> projections;

    @Option(names = "--plugins", defaultValue = "${env:PROJECTOR_PLUGINS}",
            description = "Directory of plugin jars: each *.jar in it is loaded and its projections, listed in "
                    + "META-INF/services/io.projector.Projection, join the built-in ones (env PROJECTOR_PLUGINS; default: none; "
                    + "the container image's directory is /opt/projector/plugins).")
    String plugins;

    @Option(names = "--plugin-digests", defaultValue = "${env:PROJECTOR_PLUGIN_DIGESTS}", paramLabel = "FILE",
            description = "Allow-list of plugin jars: SHA-256 digests, one a line as `sha256sum *.jar` prints them; a jar in --plugins "
                    + "that is not on it stops the start (env PROJECTOR_PLUGIN_DIGESTS; default: no check).")
    String pluginDigests;

    @Option(names = "--create-tables", defaultValue = "${env:PROJECTOR_CREATE_TABLES:-false}",
            description = "Create missing read-model and lease tables (env PROJECTOR_CREATE_TABLES). Never done without this flag.")
    boolean createTables;

    @Option(names = "--entity-type-attribute", defaultValue = "${env:PROJECTOR_ENTITY_TYPE_ATTRIBUTE:-type}",
            description = "Source attribute naming the entity type (env PROJECTOR_ENTITY_TYPE_ATTRIBUTE; default ${DEFAULT-VALUE}).")
    String entityTypeAttribute;

    @Option(names = "--start-at", defaultValue = "${env:PROJECTOR_START_AT:-TRIM_HORIZON}",
            description = "Where a new application starts reading: TRIM_HORIZON or LATEST (env PROJECTOR_START_AT; default ${DEFAULT-VALUE}).")
    String startAt;

    @Option(names = "--poll-interval-ms", defaultValue = "${env:PROJECTOR_POLL_INTERVAL_MS}",
            description = "Pause between stream reads per shard (env PROJECTOR_POLL_INTERVAL_MS; default 500 on AWS, 20 on DynamoDB Local).")
    Long pollIntervalMs;

    @Option(names = "--failover-ms", defaultValue = "${env:PROJECTOR_FAILOVER_MS}",
            description = "Lease failover time (env PROJECTOR_FAILOVER_MS; default 10000 on AWS, 3000 on DynamoDB Local).")
    Long failoverMs;

    @Option(names = "--leader-lock-ms", defaultValue = "${env:PROJECTOR_LEADER_LOCK_MS}",
            description = "How long the KCL leader's lock lasts unrenewed: a killed leader is replaced after about this plus one "
                    + "lease-assignment interval (env PROJECTOR_LEADER_LOCK_MS; default 10000 on AWS, 3000 on DynamoDB Local; KCL's own is 120000).")
    Long leaderLockMs;

    @Option(names = "--park-unknown-types", defaultValue = "${env:PROJECTOR_PARK_UNKNOWN_TYPES:-false}",
            description = "Park changes of entity types no projection wants (env PROJECTOR_PARK_UNKNOWN_TYPES; default: ignore them).")
    boolean parkUnknownTypes;

    @Option(names = "--retry-attempts", defaultValue = "${env:PROJECTOR_RETRY_ATTEMPTS}",
            description = "Attempts per round for a failing read-model call (env PROJECTOR_RETRY_ATTEMPTS; default 6).")
    Integer retryAttempts;

    @Option(names = "--stuck-batch-ms", defaultValue = "${env:PROJECTOR_STUCK_BATCH_MS:-300000}",
            description = "A shard whose batch has not finished for this long is stuck: /health answers 503 naming it "
                    + "(env PROJECTOR_STUCK_BATCH_MS; default ${DEFAULT-VALUE}, 5 minutes).")
    long stuckBatchMs;

    @Option(names = "--worker-id", defaultValue = "${env:PROJECTOR_WORKER_ID}",
            description = "This worker's name in the lease table (env PROJECTOR_WORKER_ID; default host-pid-random).")
    String workerId;

    @Option(names = "--config", defaultValue = "${env:PROJECTOR_CONFIG}", paramLabel = "FILE",
            description = "A properties file of settings, keys = long flag names without dashes, e.g. source-table=orders "
                    + "(env PROJECTOR_CONFIG). A flag wins over its environment variable, which wins over the file.")
    Path config;

    @Option(names = "--http-port", defaultValue = "${env:PROJECTOR_HTTP_PORT:-8080}",
            description = "Port of GET /health, /ready and /metrics (env PROJECTOR_HTTP_PORT; default ${DEFAULT-VALUE}; 0: a free one).")
    int httpPort;

    @Option(names = "--http-host", defaultValue = "${env:PROJECTOR_HTTP_HOST:-127.0.0.1}",
            description = "Address the HTTP endpoints listen on (env PROJECTOR_HTTP_HOST; default ${DEFAULT-VALUE}, this machine only; "
                    + "the container image sets 0.0.0.0, every interface, for the orchestrator's health checks).")
    String httpHost;

    @Option(names = "--cloudwatch-namespace", defaultValue = "${env:PROJECTOR_CLOUDWATCH_NAMESPACE}",
            description = "Also publish the projector metrics to CloudWatch under this namespace, once a minute "
                    + "(env PROJECTOR_CLOUDWATCH_NAMESPACE; default: not published).")
    String cloudwatchNamespace;

    @Option(names = "--kcl-metrics", defaultValue = "${env:PROJECTOR_KCL_METRICS:-NONE}",
            description = "The KCL's own CloudWatch metrics: NONE, SUMMARY or DETAILED (env PROJECTOR_KCL_METRICS; default ${DEFAULT-VALUE}).")
    String kclMetrics;

    @Option(names = "--log-format", defaultValue = "${env:PROJECTOR_LOG_FORMAT}",
            description = "json or text log lines on stdout (env PROJECTOR_LOG_FORMAT; default: json unless stdout is a terminal).")
    String logFormat;

    @Option(names = "--log-level", defaultValue = "${env:PROJECTOR_LOG_LEVEL:-INFO}",
            description = "Level of Projector's own loggers: TRACE, DEBUG, INFO, WARN, ERROR or OFF (env PROJECTOR_LOG_LEVEL; default ${DEFAULT-VALUE}).")
    String logLevel;

    @Mixin
    DeadLetterOptions deadLetters = new DeadLetterOptions();

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
        checkRange("local-port", localPort, 0, 65535);
        checkRange("http-port", httpPort, 0, 65535);
        if (httpHost == null || httpHost.isBlank()) {
            throw new IllegalArgumentException(setting("http-host") + " must be an address to listen on, e.g. 0.0.0.0 or 127.0.0.1");
        }
        if (pollIntervalMs != null) {
            checkRange("poll-interval-ms", pollIntervalMs, 1, 60_000);
        }
        if (failoverMs != null) {
            checkRange("failover-ms", failoverMs, 1_000, 600_000);
        }
        if (leaderLockMs != null) {
            checkRange("leader-lock-ms", leaderLockMs, 1_000, 600_000);
        }
        if (retryAttempts != null) {
            checkRange("retry-attempts", retryAttempts, 1, 100);
        }
        checkRange("stuck-batch-ms", stuckBatchMs, 1_000, 86_400_000);
        if (entityTypeAttribute == null || entityTypeAttribute.isBlank()) {
            throw new IllegalArgumentException(setting("entity-type-attribute") + " must not be empty (default: type)");
        }
        if (!List.of("NONE", "SUMMARY", "DETAILED").contains(kclMetrics.trim().toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException(setting("kcl-metrics") + " must be NONE, SUMMARY or DETAILED, was '" + kclMetrics + "'");
        }
        if (cloudwatchNamespace != null && !cloudwatchNamespace.isBlank()) {
            String wrong = Telemetry.checkNamespace(cloudwatchNamespace.trim());
            if (wrong != null) {
                throw new IllegalArgumentException(setting("cloudwatch-namespace") + " " + wrong + ", was '" + cloudwatchNamespace + "'");
            }
            if (local) {
                throw new IllegalArgumentException(setting("cloudwatch-namespace") + " publishes to AWS CloudWatch: not with --local");
            }
        }
        if (local && !kclMetrics.trim().equalsIgnoreCase("NONE")) {
            throw new IllegalArgumentException(setting("kcl-metrics") + " publishes to AWS CloudWatch: not with --local");
        }
        // Checked before logging started (Main); again here for the names in the message.
        if (logFormat != null && !logFormat.isBlank()) {
            LogSettings.format(new String[] {logFormat, setting("log-format")}, false);
        }
        LogSettings.level(new String[] {logLevel, setting("log-level")});
        deadLetters.policy(this::setting);
    }

    private void checkRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(setting(key) + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    /** How to name a setting in a message: its flag, or the variable or file line that gave its value. */
    private String setting(String key) {
        String origin = origin(key);
        return origin.equals("flag") || origin.equals("default") ? "--" + key : origin;
    }

    /** Where a setting's value came from: flag, the variable's name, "KEY in FILE", or default. */
    private String origin(String key) {
        if (spec == null) {
            return "flag";
        }
        if (spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption("--" + key)) {
            return "flag";
        }
        if (spec.commandLine().getDefaultValueProvider() instanceof RunDefaults) {
            String origin = ((RunDefaults) spec.commandLine().getDefaultValueProvider()).origin(key);
            if (origin != null) {
                return origin;
            }
        }
        return "default";
    }

    /** Every setting with its value and where it came from; credentials only as the provider's type. */
    private String effectiveConfiguration(Connection connection) {
        StringJoiner out = new StringJoiner(", ");
        if (spec != null) {
            for (OptionSpec option : spec.options()) {
                String key = RunDefaults.key(option);
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
        if (local && endpoint != null && !endpoint.isBlank()) {
            throw new IllegalArgumentException("--local and --endpoint exclude each other: --local starts its own DynamoDB Local");
        }
        if (applicationName != null) {
            ProjectorConfig.checkApplicationName(applicationName, setting("application-name"));
        }
        if (!startAt.equals("TRIM_HORIZON") && !startAt.equals("LATEST")) {
            throw new IllegalArgumentException(setting("start-at") + " must be TRIM_HORIZON or LATEST, was '" + startAt + "'");
        }
        if (sourceTable == null && local) {
            sourceTable = "source";
        }
        if (readModelTable == null && local) {
            readModelTable = "read-model";
        }
        if (sourceTable == null || readModelTable == null) {
            throw new IllegalArgumentException("--source-table and --read-model-table are required (or PROJECTOR_SOURCE_TABLE and PROJECTOR_READ_MODEL_TABLE)");
        }
        Path pluginsDir = plugins == null || plugins.isBlank() ? null : Path.of(plugins.trim());
        List<Projection> selected = ProjectionCatalog.load(pluginsDir, PluginDigests.of(pluginDigests, setting("plugin-digests"))).select(projections);
        ShutdownSignal signal = new ShutdownSignal();
        WorkerHealth health = new WorkerHealth();
        // Bound before anything starts, so that a busy port or a host that is not this machine's fails here in
        // one line instead of after the worker started and had to stop again. Until the worker runs, /health
        // and /ready answer 503 "starting".
        try (HealthServer http = HealthServer.start(httpHost.trim(), httpPort, health, telemetry::scrape);
             Connection connection = local ? Connection.embedded(dataDir, localPort) : Connection.of(endpoint, region)) {
            ProjectorConfig.Builder builder = ProjectorConfig.builder()
                    .sourceTable(sourceTable).readModelTable(readModelTable).applicationName(applicationName)
                    .region(connection.region()).endpoint(connection.endpoint()).credentials(connection.credentials())
                    .entityTypeAttribute(entityTypeAttribute).startAtLatest(startAt.equals("LATEST"));
            if (connection.isLocal()) {
                builder.fastLocalTuning();
            }
            if (pollIntervalMs != null) {
                builder.pollInterval(Duration.ofMillis(pollIntervalMs));
            }
            if (failoverMs != null) {
                builder.failoverTime(Duration.ofMillis(failoverMs));
            }
            if (leaderLockMs != null) {
                builder.leaderLockDuration(Duration.ofMillis(leaderLockMs));
            }
            if (workerId != null) {
                builder.workerId(workerId);
            }
            if (retryAttempts != null) {
                builder.retryAttempts(retryAttempts);
            }
            builder.parkUnknownTypes(parkUnknownTypes).stuckBatchAfter(Duration.ofMillis(stuckBatchMs));
            builder.deadLetters(deadLetters.policy(this::setting));
            builder.meterRegistry(telemetry.registry())
                    .kclMetricsLevel(ProjectorConfig.KclMetricsLevel.valueOf(kclMetrics.trim().toUpperCase(Locale.ROOT)));
            ProjectorConfig config = builder.build();
            log.info("configuration: {}", effectiveConfiguration(connection));
            if (cloudwatchNamespace != null && !cloudwatchNamespace.isBlank()) {
                telemetry.publishToCloudWatch(cloudwatchNamespace.trim(), connection.region(), connection.credentials(), Duration.ofMinutes(1));
                log.info("metrics also go to CloudWatch namespace '{}' in {} every minute", cloudwatchNamespace.trim(), connection.region());
            }
            if (local) {
                Tables.createSourceTable(connection.dynamo(), config.sourceTable());
                log.info("embedded DynamoDB Local at {} (data in {})", connection.endpoint(), dataDir.toAbsolutePath());
            }
            if (createTables || local) {
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
