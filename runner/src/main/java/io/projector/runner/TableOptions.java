package io.projector.runner;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the read model is, and whose engine items in it, for the tools that work on it (dlq). The same flags and variables as {@code run}. */
final class TableOptions {

    @Option(names = "--application-name", defaultValue = "${env:PROJECTOR_APPLICATION_NAME}",
            description = "The worker's application, whose dead letters these are (env PROJECTOR_APPLICATION_NAME; "
                    + "default projector-<source table>).")
    String applicationName;

    @Option(names = "--source-table", defaultValue = "${env:PROJECTOR_SOURCE_TABLE}",
            description = "The source table, for the default application name (env PROJECTOR_SOURCE_TABLE; with --local: source).")
    String sourceTable;

    @Option(names = "--read-model-table", defaultValue = "${env:PROJECTOR_READ_MODEL_TABLE}",
            description = "The read-model table (env PROJECTOR_READ_MODEL_TABLE).")
    String readModelTable;

    @Option(names = "--region", defaultValue = "${env:PROJECTOR_REGION}",
            description = "AWS region (env PROJECTOR_REGION, else AWS_REGION).")
    String region;

    @Option(names = "--endpoint", defaultValue = "${env:PROJECTOR_ENDPOINT}",
            description = "Explicit DynamoDB endpoint, e.g. http://127.0.0.1:8000 (env PROJECTOR_ENDPOINT).")
    String endpoint;

    @Option(names = "--local", defaultValue = "${env:PROJECTOR_LOCAL:-false}",
            description = "Use the embedded DynamoDB Local's data in --data-dir (env PROJECTOR_LOCAL).")
    boolean local;

    @Option(names = "--data-dir", defaultValue = "${env:PROJECTOR_DATA_DIR:-.projector-local}",
            description = "Where --local keeps its database (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--plugins", defaultValue = "${env:PROJECTOR_PLUGINS}",
            description = "A directory of jars with more projections, as for run (env PROJECTOR_PLUGINS).")
    String plugins;

    @Option(names = "--plugin-digests", defaultValue = "${env:PROJECTOR_PLUGIN_DIGESTS}", paramLabel = "FILE",
            description = "Allow-list of plugin jars: SHA-256 digests, one a line as `sha256sum *.jar` prints them; a jar in --plugins "
                    + "that is not on it stops the start (env PROJECTOR_PLUGIN_DIGESTS; default: no check).")
    String pluginDigests;

    Path pluginsDir() {
        return plugins == null || plugins.isBlank() ? null : Path.of(plugins.trim());
    }

    PluginDigests allowedPlugins() {
        return PluginDigests.of(pluginDigests, "--plugin-digests");
    }

    /** The application whose engine items the command reads: checked before anything connects. */
    String application() {
        return ApplicationNames.resolve(applicationName, sourceTable == null && local ? "source" : sourceTable);
    }

    Connection connect() {
        if (readModelTable == null && local) {
            readModelTable = "read-model";
        }
        if (readModelTable == null) {
            throw new IllegalArgumentException("--read-model-table is required (or PROJECTOR_READ_MODEL_TABLE)");
        }
        if (!readModelTable.matches("[A-Za-z0-9_.-]{3,255}")) {
            throw new IllegalArgumentException("--read-model-table '" + readModelTable + "' is not a DynamoDB table name: 3 to 255 of a-z A-Z 0-9 _ . -");
        }
        return local ? Connection.embedded(dataDir, 0) : Connection.of(endpoint, region);
    }
}
