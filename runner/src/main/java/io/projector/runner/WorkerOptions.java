package io.projector.runner;

import io.projector.Projection;
import io.projector.ProjectorConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the tables are and which projections: the flags and variables of {@code run}, for the
 * commands that build read models beside it (backfill, replay, rebuild, status).
 */
final class WorkerOptions {

    @Option(names = "--source-table", defaultValue = "${env:PROJECTOR_SOURCE_TABLE}",
            description = "The source table (env PROJECTOR_SOURCE_TABLE; with --local: source).")
    String sourceTable;

    @Option(names = "--read-model-table", defaultValue = "${env:PROJECTOR_READ_MODEL_TABLE}",
            description = "The read-model table (env PROJECTOR_READ_MODEL_TABLE; with --local: read-model).")
    String readModelTable;

    @Option(names = "--application-name", defaultValue = "${env:PROJECTOR_APPLICATION_NAME}",
            description = "The live worker's KCL application, whose engine items (PROJECTOR#<application>#...) the command reads "
                    + "(env PROJECTOR_APPLICATION_NAME; default projector-<source table>).")
    String applicationName;

    @Option(names = "--region", defaultValue = "${env:PROJECTOR_REGION}", description = "AWS region (env PROJECTOR_REGION, else AWS_REGION).")
    String region;

    @Option(names = "--endpoint", defaultValue = "${env:PROJECTOR_ENDPOINT}",
            description = "Explicit DynamoDB endpoint, e.g. http://127.0.0.1:8000 (env PROJECTOR_ENDPOINT).")
    String endpoint;

    @Option(names = "--local", defaultValue = "${env:PROJECTOR_LOCAL:-false}",
            description = "Use the embedded DynamoDB Local's data in --data-dir (stop `projector run --local` first: one process at a time).")
    boolean local;

    @Option(names = "--data-dir", defaultValue = "${env:PROJECTOR_DATA_DIR:-.projector-local}",
            description = "Where --local keeps its database (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--projections", split = ",", defaultValue = "${env:PROJECTOR_PROJECTIONS}",
            description = "Comma-separated projection names (env PROJECTOR_PROJECTIONS; default: all found).")
    List<String> projections;

    @Option(names = "--plugins", defaultValue = "${env:PROJECTOR_PLUGINS}",
            description = "A directory of plugin jars, as for run (env PROJECTOR_PLUGINS).")
    String plugins;

    @Option(names = "--plugin-digests", defaultValue = "${env:PROJECTOR_PLUGIN_DIGESTS}", paramLabel = "FILE",
            description = "Allow-list of plugin jars: SHA-256 digests, one a line as `sha256sum *.jar` prints them; a jar in --plugins "
                    + "that is not on it stops the start (env PROJECTOR_PLUGIN_DIGESTS; default: no check).")
    String pluginDigests;

    @Mixin
    DeadLetterOptions deadLetters = new DeadLetterOptions();

    @Option(names = "--entity-type-attribute", defaultValue = "${env:PROJECTOR_ENTITY_TYPE_ATTRIBUTE:-type}",
            description = "Source attribute naming the entity type (default ${DEFAULT-VALUE}).")
    String entityTypeAttribute;

    /** Checks the flags and connects: the embedded DynamoDB Local, an endpoint, or AWS. */
    Connection connect() {
        if (local && endpoint != null && !endpoint.isBlank()) {
            throw new IllegalArgumentException("--local and --endpoint exclude each other: --local starts its own DynamoDB Local");
        }
        if (applicationName != null) {
            ProjectorConfig.checkApplicationName(applicationName, "--application-name");
        }
        if (local) {
            sourceTable = sourceTable == null ? "source" : sourceTable;
            readModelTable = readModelTable == null ? "read-model" : readModelTable;
        }
        if (sourceTable == null || readModelTable == null) {
            throw new IllegalArgumentException("--source-table and --read-model-table are required (or PROJECTOR_SOURCE_TABLE and PROJECTOR_READ_MODEL_TABLE)");
        }
        return local ? Connection.embedded(dataDir, 0) : Connection.of(endpoint, region);
    }

    List<Projection> selected() {
        return ProjectionCatalog.load(plugins == null || plugins.isBlank() ? null : Path.of(plugins.trim()),
                PluginDigests.of(pluginDigests, "--plugin-digests")).select(projections);
    }

    ProjectorConfig config(Connection connection) {
        ProjectorConfig.Builder builder = ProjectorConfig.builder()
                .sourceTable(sourceTable).readModelTable(readModelTable).applicationName(applicationName)
                .region(connection.region()).endpoint(connection.endpoint()).credentials(connection.credentials())
                .entityTypeAttribute(entityTypeAttribute)
                .deadLetters(deadLetters.policy(key -> "--" + key));
        if (connection.isLocal()) {
            builder.fastLocalTuning();
        }
        return builder.build();
    }
}
