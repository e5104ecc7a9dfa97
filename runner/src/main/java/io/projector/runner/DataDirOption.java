package io.projector.runner;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where an embedded DynamoDB Local keeps its database: {@code --local}'s, or the demo's. */
@SettingGroup
public final class DataDirOption {

    static final Path LOCAL_DEFAULT = Path.of(".projector-local");

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the embedded DynamoDB Local keeps its database (env PROJECTOR_DATA_DIR; default .projector-local, "
                    + "for demo .projector-demo); one process at a time.")
    Path dataDir;

    public Path orElse(Path fallback) {
        return dataDir != null ? dataDir : fallback;
    }
}
