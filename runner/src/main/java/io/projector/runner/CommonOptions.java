package io.projector.runner;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options of every command, declared once on the root and inherited by each subcommand. Their
 * values are read before picocli parses anything ({@link Main}), because logging starts first; the
 * fields are here so that picocli accepts them and shows them in every command's help.
 */
@SettingGroup
final class CommonOptions {

    /** The options here that take a value as the next argument, which is then not a subcommand's name. */
    static final java.util.Set<String> TAKES_VALUE = java.util.Set.of("--config", "--log-format", "--log-level");

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "A properties file of settings for every command, keys = long flag names without dashes, e.g. "
                    + "source-table=orders (env PROJECTOR_CONFIG). A flag wins over its environment variable PROJECTOR_<FLAG>, "
                    + "which wins over the file.")
    Path config;

    @Option(names = "--log-format", scope = ScopeType.INHERIT,
            description = "json or text log lines (env PROJECTOR_LOG_FORMAT; default: json on run's stdout unless it is a terminal, "
                    + "else text).")
    String logFormat;

    @Option(names = "--log-level", scope = ScopeType.INHERIT, defaultValue = "INFO",
            description = "Level of Projector's own loggers: TRACE, DEBUG, INFO, WARN, ERROR or OFF (env PROJECTOR_LOG_LEVEL; "
                    + "default ${DEFAULT-VALUE}).")
    String logLevel;
}
