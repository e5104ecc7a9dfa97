package io.projector.runner;

import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * Where a new application starts reading the stream. Only {@code run} takes it: a replay and a
 * rebuild read from TRIM_HORIZON by what they are, and a backfill's hand-off needs every change after its scan.
 */
@SettingGroup
final class StartPositionOption {

    @Option(names = "--start-at", defaultValue = "TRIM_HORIZON",
            description = "Where a new application starts reading: TRIM_HORIZON or LATEST (env PROJECTOR_START_AT; default ${DEFAULT-VALUE}).")
    String startAt;

    boolean latest(UnaryOperator<String> setting) {
        if (!startAt.equals("TRIM_HORIZON") && !startAt.equals("LATEST")) {
            throw new IllegalArgumentException(setting.apply("start-at") + " must be TRIM_HORIZON or LATEST, was '" + startAt + "'");
        }
        return startAt.equals("LATEST");
    }
}
