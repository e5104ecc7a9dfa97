package io.projector.runner;

import java.nio.file.Path;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/** Where more projections come from: a directory of plugin jars, and the digests they must have. */
@SettingGroup
final class PluginOptions {

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "Directory of plugin jars: each *.jar in it is loaded and its projections, listed in "
                    + "META-INF/services/io.projector.Projection, join the built-in ones (env PROJECTOR_PLUGINS; default: none; "
                    + "the container image's directory is /opt/projector/plugins).")
    String plugins;

    @Option(names = "--plugin-digests", paramLabel = "FILE",
            description = "Allow-list of plugin jars: SHA-256 digests, one a line as `sha256sum *.jar` prints them; a jar in --plugins "
                    + "that is not on it stops the start (env PROJECTOR_PLUGIN_DIGESTS; default: no check).")
    String pluginDigests;

    /** The built-in projections and those of the plugin jars. */
    ProjectionCatalog catalog(UnaryOperator<String> setting) {
        Path dir = plugins == null || plugins.isBlank() ? null : Path.of(plugins.trim());
        return ProjectionCatalog.load(dir, PluginDigests.of(pluginDigests, setting.apply("plugin-digests")));
    }
}
