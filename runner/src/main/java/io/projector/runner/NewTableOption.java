package io.projector.runner;

import picocli.CommandLine.Option;

/** The read-model table a replay or a rebuild writes instead of the live one: an argument of the one invocation, not a setting. */
final class NewTableOption {

    @Option(names = "--new-table", paramLabel = "TABLE",
            description = "The table to write, created if missing (replay: default --read-model-table itself; "
                    + "rebuild: default <read-model-table>-<yyyyMMddHHmmss>).")
    String newTable;
}
