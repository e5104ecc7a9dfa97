package io.projector.runner;

import io.projector.Projection;
import io.projector.Projector;
import io.projector.ProjectorConfig;
import io.projector.Tables;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code projector run}: the long-running worker. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the projection worker until SIGTERM or SIGINT, then stop gracefully (exit 0).")
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "--source-table", defaultValue = "${env:PROJECTOR_SOURCE_TABLE}",
            description = "Table whose stream is projected (env PROJECTOR_SOURCE_TABLE).")
    String sourceTable;

    @Option(names = "--read-model-table", defaultValue = "${env:PROJECTOR_READ_MODEL_TABLE}",
            description = "Table the projections write (env PROJECTOR_READ_MODEL_TABLE).")
    String readModelTable;

    @Option(names = "--application-name", defaultValue = "${env:PROJECTOR_APPLICATION_NAME}",
            description = "KCL application name = lease table; workers with one name share the shards "
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

    @Option(names = "--park-unknown-types", defaultValue = "${env:PROJECTOR_PARK_UNKNOWN_TYPES:-false}",
            description = "Park changes of entity types no projection wants (env PROJECTOR_PARK_UNKNOWN_TYPES; default: ignore them).")
    boolean parkUnknownTypes;

    @Option(names = "--retry-attempts", defaultValue = "${env:PROJECTOR_RETRY_ATTEMPTS}",
            description = "Attempts per round for a failing read-model call (env PROJECTOR_RETRY_ATTEMPTS; default 6).")
    Integer retryAttempts;

    @Option(names = "--worker-id", defaultValue = "${env:PROJECTOR_WORKER_ID}",
            description = "This worker's name in the lease table (env PROJECTOR_WORKER_ID; default host-pid-random).")
    String workerId;

    @Override
    public Integer call() throws Exception {
        if (local && endpoint != null && !endpoint.isBlank()) {
            throw new IllegalArgumentException("--local and --endpoint exclude each other: --local starts its own DynamoDB Local");
        }
        if (!startAt.equals("TRIM_HORIZON") && !startAt.equals("LATEST")) {
            throw new IllegalArgumentException("--start-at must be TRIM_HORIZON or LATEST, was '" + startAt + "'");
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
        List<Projection> selected = ProjectionCatalog.load(pluginsDir).select(projections);
        ShutdownSignal signal = new ShutdownSignal();
        try (Connection connection = local ? Connection.embedded(dataDir, localPort) : Connection.of(endpoint, region)) {
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
            if (workerId != null) {
                builder.workerId(workerId);
            }
            if (retryAttempts != null) {
                builder.retryAttempts(retryAttempts);
            }
            builder.parkUnknownTypes(parkUnknownTypes);
            ProjectorConfig config = builder.build();
            if (local) {
                Tables.createSourceTable(connection.dynamo(), config.sourceTable());
                log.info("embedded DynamoDB Local at {} (data in {})", connection.endpoint(), dataDir.toAbsolutePath());
            }
            if (createTables || local) {
                Tables.createReadModelTable(connection.dynamo(), config.readModelTable());
                Tables.createLeaseTable(connection.dynamo(), config.applicationName());
            }
            Projector projector = Projector.start(config, selected);
            String received;
            while ((received = signal.await(1000)) == null) {
                if (!projector.isRunning()) {
                    log.error("the worker stopped by itself; see the errors above");
                    projector.stop(Duration.ofSeconds(5));
                    return 1;
                }
            }
            log.info("{} received: stopping gracefully", received);
            boolean clean = projector.stop(Duration.ofSeconds(25));
            log.info("stopped {}; {}", clean ? "cleanly" : "after the timeout", projector.stats());
            return 0;
        }
    }
}
