package io.projector.runner;

import io.projector.Projection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The projections on the class path (built-in ones and plugins), found through {@link ServiceLoader}. */
final class ProjectionCatalog {

    private final Map<String, Projection> byName = new LinkedHashMap<>();

    ProjectionCatalog(ClassLoader loader) {
        for (ServiceLoader.Provider<Projection> provider : ServiceLoader.load(Projection.class, loader).stream().toList()) {
            Projection p = provider.get();
            Projection previous = byName.putIfAbsent(p.name(), p);
            if (previous != null) {
                throw new IllegalStateException("two projections are named '" + p.name() + "': "
                        + previous.getClass().getName() + " and " + p.getClass().getName());
            }
        }
    }

    static ProjectionCatalog builtIn() {
        return new ProjectionCatalog(ProjectionCatalog.class.getClassLoader());
    }

    /** The named projections, or all when {@code names} is empty; an unknown name fails with the known ones listed. */
    List<Projection> select(List<String> names) {
        if (names == null || names.isEmpty()) {
            return List.copyOf(byName.values());
        }
        List<Projection> out = new ArrayList<>();
        for (String name : names) {
            Projection p = byName.get(name.trim());
            if (p == null) {
                throw new IllegalArgumentException("--projections: no projection named '" + name.trim() + "'; known: " + String.join(", ", byName.keySet()));
            }
            out.add(p);
        }
        return out;
    }
}
