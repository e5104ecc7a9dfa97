package io.projector.runner;

import io.projector.ops.ReadModelPointer;
import picocli.CommandLine.Option;

/** The table of aliases readers resolve to find the read-model table (ReadModelPointer), which rebuild moves. */
@SettingGroup
final class PointerTableOption {

    @Option(names = "--pointer-table", defaultValue = ReadModelPointer.DEFAULT_TABLE,
            description = "The table of aliases (created if missing; env PROJECTOR_POINTER_TABLE; default ${DEFAULT-VALUE}).")
    String pointerTable;
}
