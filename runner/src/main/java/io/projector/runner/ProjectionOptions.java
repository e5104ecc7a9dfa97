package io.projector.runner;

import io.projector.Projection;
import java.util.List;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Which projections, and how changes are routed to them by entity type. */
@SettingGroup
final class ProjectionOptions {

    @Option(names = "--projections", split = ",",
            description = "Comma-separated projection names (env PROJECTOR_PROJECTIONS; default: all found).")
    List<String> projections;

    @Option(names = "--entity-type-attribute", defaultValue = "type",
            description = "Source attribute naming the entity type (env PROJECTOR_ENTITY_TYPE_ATTRIBUTE; default ${DEFAULT-VALUE}).")
    String entityTypeAttribute;

    @Mixin PluginOptions plugins;

    /** @param setting names a setting (its key) as the user gave it: flag, variable or file line */
    List<Projection> selected(UnaryOperator<String> setting) {
        return plugins.catalog(setting).select(projections);
    }

    void check(UnaryOperator<String> setting) {
        if (entityTypeAttribute == null || entityTypeAttribute.isBlank()) {
            throw new IllegalArgumentException(setting.apply("entity-type-attribute") + " must not be empty (default: type)");
        }
    }
}
