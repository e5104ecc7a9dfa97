package io.projector.runner;

import io.projector.worker.ProjectorConfig;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * Which tables and whose engine items in them: the source table, the read-model table and the
 * application. With --local the tables default to {@code source} and {@code read-model}.
 */
@SettingGroup
final class TableOptions {

    static final String LOCAL_SOURCE = "source";
    static final String LOCAL_READ_MODEL = "read-model";

    @Option(names = "--source-table",
            description = "Table whose stream is projected (env PROJECTOR_SOURCE_TABLE; with --local: " + LOCAL_SOURCE + ").")
    String sourceTable;

    @Option(names = "--read-model-table",
            description = "Table the projections write (env PROJECTOR_READ_MODEL_TABLE; with --local: " + LOCAL_READ_MODEL + ").")
    String readModelTable;

    @Option(names = "--application-name",
            description = "KCL application name = lease table; workers with one name share the shards; it keys the engine's items in "
                    + "the read-model table (PROJECTOR#<application>#...), which status, dlq and migrate-keys read "
                    + "(env PROJECTOR_APPLICATION_NAME; default projector-<source table>).")
    String applicationName;

    /** Fills in the --local defaults. */
    void localDefaults(boolean local) {
        if (local) {
            sourceTable = sourceTable == null ? LOCAL_SOURCE : sourceTable;
            readModelTable = readModelTable == null ? LOCAL_READ_MODEL : readModelTable;
        }
    }

    /**
     * For the commands that read the stream: both tables, checked before anything connects.
     *
     * @param setting names a setting (its key) as the user gave it: flag, variable or file line
     */
    void requireBoth(boolean local, UnaryOperator<String> setting) {
        localDefaults(local);
        if (applicationName != null) {
            ProjectorConfig.checkApplicationName(applicationName, setting.apply("application-name"));
        }
        if (sourceTable == null || readModelTable == null) {
            throw new IllegalArgumentException("--source-table and --read-model-table are required (or PROJECTOR_SOURCE_TABLE and PROJECTOR_READ_MODEL_TABLE)");
        }
    }

    /** For the commands that read only the read model (status, dlq): the table, checked before anything connects. */
    void requireReadModel(boolean local, UnaryOperator<String> setting) {
        localDefaults(local);
        if (readModelTable == null) {
            throw new IllegalArgumentException("--read-model-table is required (or PROJECTOR_READ_MODEL_TABLE)");
        }
        if (!readModelTable.matches("[A-Za-z0-9_.-]{3,255}")) {
            throw new IllegalArgumentException(setting.apply("read-model-table") + " '" + readModelTable + "' is not a DynamoDB table name: 3 to 255 of a-z A-Z 0-9 _ . -");
        }
    }

    /** The application whose engine items the command reads. */
    String application(UnaryOperator<String> setting) {
        return ApplicationNames.resolve(applicationName, sourceTable, setting.apply("application-name"));
    }
}
