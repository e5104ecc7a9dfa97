package io.projector.runner;

import io.projector.ops.BackfillConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How a backfill scans: the settings of {@code backfill}, and of {@code rebuild}'s backfill (each also PROJECTOR_<FLAG>). */
@SettingGroup
final class BackfillOptions {

    @Option(names = "--segments", defaultValue = "4", description = "Parallel Scan segments (default ${DEFAULT-VALUE}).")
    int segments;

    @Option(names = "--read-units-per-second", defaultValue = "1000",
            description = "The Scan's budget of read units per second, so production traffic is not starved (default ${DEFAULT-VALUE}).")
    int readUnitsPerSecond;

    @Option(names = "--page-size", defaultValue = "500", description = "Items per Scan page; progress is saved per page (default ${DEFAULT-VALUE}).")
    int pageSize;

    @Option(names = "--version-attribute", defaultValue = "version",
            description = "Source attribute that grows with every write of an item, across deletion and re-creation (env PROJECTOR_VERSION_ATTRIBUTE; default ${DEFAULT-VALUE}).")
    String versionAttribute;

    @Option(names = "--join-timeout-seconds", defaultValue = "600",
            description = "How long to wait for the workers running the projections to join the hand-off (default ${DEFAULT-VALUE}).")
    long joinTimeoutSeconds;

    BackfillConfig config(String purpose) {
        return BackfillConfig.builder().segments(segments).readUnitsPerSecond(readUnitsPerSecond).pageSize(pageSize)
                .versionAttribute(versionAttribute).joinTimeout(Duration.ofSeconds(joinTimeoutSeconds)).purpose(purpose).build();
    }
}
