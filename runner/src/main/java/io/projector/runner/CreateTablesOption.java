package io.projector.runner;

import picocli.CommandLine.Option;

/** Whether a command that starts a worker may create the read-model and lease tables it needs. */
@SettingGroup
final class CreateTablesOption {

    @Option(names = "--create-tables", defaultValue = "false",
            description = "Create missing read-model and lease tables (env PROJECTOR_CREATE_TABLES; with --local always). "
                    + "Never done without this flag.")
    boolean createTables;
}
