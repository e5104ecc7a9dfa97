package io.projector.runner;

import io.projector.Projection;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projections found through {@link ServiceLoader}: the built-in ones on the runner's class
 * path and those of the plugin jars in a directory ({@code --plugins}), loaded together in one
 * class loader whose parent is the runner's. A projection's name, entity types and settings come
 * from its class.
 *
 * <p>A plugin class that cannot be loaded or instantiated, or two projections with one name, stop
 * the start with one line that names the class and its jar.
 */
public final class ProjectionCatalog {

    private static final Logger log = LoggerFactory.getLogger(ProjectionCatalog.class);
    private static final String SERVICES_FILE = "META-INF/services/" + Projection.class.getName();
    private static final String BUILT_IN = "built in";

    private final Map<String, Projection> byName = new LinkedHashMap<>();
    /** Where each projection class came from: a plugin jar's path, or "built in". */
    private final Map<String, String> origins = new LinkedHashMap<>();

    /**
     * @param pluginJars the plugin jars {@code loader} can see, each with the services entries it
     *                   declares, so that a failure can name its jar
     */
    private ProjectionCatalog(ClassLoader loader, Map<Path, List<String>> pluginJars) {
        Iterator<ServiceLoader.Provider<Projection>> providers = ServiceLoader.load(Projection.class, loader).stream().iterator();
        Set<String> seen = new HashSet<>();
        while (true) {
            ServiceLoader.Provider<Projection> provider;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                provider = providers.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                // Class not found, not a Projection, no public no-arg constructor, a class it needs missing:
                // the class is in ServiceLoader's message, or else it is the next one the services files list.
                String className = declaredClassIn(e.getMessage(), pluginJars);
                if (className == null) {
                    className = firstUnseen(pluginJars, seen);
                }
                if (className == null) {
                    throw new IllegalStateException("cannot load a projection: " + reason(e));
                }
                throw cannotLoad(className, originOfDeclared(className, pluginJars), e);
            }
            String className = provider.type().getName();
            seen.add(className);
            String origin = originOf(provider.type(), pluginJars);
            Projection p;
            String name;
            try {
                p = provider.get();
                name = p.name();
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                throw cannotLoad(className, origin, e);
            }
            if (name == null || name.isBlank()) {
                throw new IllegalStateException(prefix(origin) + "projection class " + className + " has no name: its name() returned "
                        + (name == null ? "null" : "'" + name + "'"));
            }
            Projection previous = byName.putIfAbsent(name, p);
            if (previous != null) {
                String previousClass = previous.getClass().getName();
                throw new IllegalStateException("two projections are named '" + name + "': "
                        + className + " (" + origin + ") and " + previousClass + " (" + origins.get(previousClass) + ")");
            }
            origins.put(className, origin);
        }
    }

    /** The built-in projections only: those on the runner's class path. */
    public static ProjectionCatalog builtIn() {
        return new ProjectionCatalog(ProjectionCatalog.class.getClassLoader(), Map.of());
    }

    /**
     * The built-in projections and those of every {@code *.jar} in {@code pluginsDir}; only the
     * built-in ones when it is null. The directory must exist; it may be empty.
     */
    static ProjectionCatalog load(Path pluginsDir) {
        return load(pluginsDir, null);
    }

    /**
     * As {@link #load(Path)}, and when {@code allowed} is given, every jar must be on it: checked
     * before any class of any jar is loaded.
     */
    static ProjectionCatalog load(Path pluginsDir, PluginDigests allowed) {
        if (pluginsDir == null) {
            return builtIn();
        }
        if (!Files.exists(pluginsDir)) {
            throw new IllegalArgumentException("--plugins: directory '" + pluginsDir + "' does not exist");
        }
        if (!Files.isDirectory(pluginsDir)) {
            throw new IllegalArgumentException("--plugins: '" + pluginsDir + "' is not a directory");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(pluginsDir)) {
            jars = files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("--plugins: cannot list '" + pluginsDir + "': " + e.getMessage());
        }
        if (allowed != null) {
            jars.forEach(allowed::check);
        }
        Map<Path, List<String>> declared = new LinkedHashMap<>();
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            declared.put(jar, serviceEntries(jar));
            try {
                urls.add(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("plugin " + jar + ": " + e.getMessage());
            }
        }
        // Two versions of one plugin side by side would load the class from whichever jar sorts first.
        Map<String, Path> declaredBy = new LinkedHashMap<>();
        declared.forEach((jar, entries) -> entries.forEach(className -> {
            Path first = declaredBy.putIfAbsent(className, jar);
            if (first != null && !first.equals(jar)) {
                throw new IllegalArgumentException("--plugins: projection class " + className + " is declared by two jars, " + first
                        + " and " + jar + " (two versions of one plugin?): keep one of them in " + pluginsDir);
            }
        }));
        // Not closed: the classes are in use as long as the worker runs.
        URLClassLoader loader = new URLClassLoader("projector-plugins", urls.toArray(URL[]::new), ProjectionCatalog.class.getClassLoader());
        ProjectionCatalog catalog = new ProjectionCatalog(loader, declared);
        if (jars.isEmpty()) {
            log.warn("plugins directory {} holds no jar", pluginsDir);
        }
        catalog.origins.forEach((className, origin) -> {
            if (!origin.equals(BUILT_IN)) {
                log.info("plugin {}: projection {} ({})", origin, catalog.nameOf(className), className);
            }
        });
        declared.forEach((jar, entries) -> {
            if (entries.isEmpty()) {
                log.warn("plugin {} declares no projection: it has no {}", jar, SERVICES_FILE);
            }
        });
        return catalog;
    }

    /** The named projections, or all when {@code names} is empty; an unknown name fails with the known ones listed. */
    public List<Projection> select(List<String> names) {
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

    private String nameOf(String className) {
        return byName.entrySet().stream().filter(e -> e.getValue().getClass().getName().equals(className))
                .map(Map.Entry::getKey).findFirst().orElse("?");
    }

    /** The class names a jar's services file lists, as ServiceLoader reads it (comments after '#', blanks skipped). */
    private static List<String> serviceEntries(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            ZipEntry entry = file.getEntry(SERVICES_FILE);
            if (entry == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            try (InputStream in = file.getInputStream(entry)) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                    int hash = line.indexOf('#');
                    String name = (hash >= 0 ? line.substring(0, hash) : line).trim();
                    if (!name.isEmpty()) {
                        out.add(name);
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException("plugin " + jar + ": cannot read it as a jar: " + e.getMessage());
        }
    }

    /** Which jar holds the class: a plugin jar's path, or "built in" for the runner's class path. */
    private static String originOf(Class<?> type, Map<Path, List<String>> pluginJars) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation() != null) {
            try {
                Path location = Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
                for (Path jar : pluginJars.keySet()) {
                    if (jar.toAbsolutePath().normalize().equals(location)) {
                        return jar.toString();
                    }
                }
            } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
                // not a file location: not one of the plugin jars
            }
        }
        return type.getClassLoader() == ProjectionCatalog.class.getClassLoader()
                ? BUILT_IN : originOfDeclared(type.getName(), pluginJars);
    }

    /** The first plugin jar whose services file lists the class, else "built in". */
    private static String originOfDeclared(String className, Map<Path, List<String>> pluginJars) {
        for (Map.Entry<Path, List<String>> jar : pluginJars.entrySet()) {
            if (jar.getValue().contains(className)) {
                return jar.getKey().toString();
            }
        }
        return BUILT_IN;
    }

    /** The first class the plugin services files list that ServiceLoader has not yet given (it reads them in this order). */
    private static String firstUnseen(Map<Path, List<String>> pluginJars, Set<String> seen) {
        for (List<String> entries : pluginJars.values()) {
            for (String className : entries) {
                if (!seen.contains(className)) {
                    return className;
                }
            }
        }
        return null;
    }

    /** The declared plugin class that a ServiceLoader message names ("Provider com.acme.X not found"), if any. */
    private static String declaredClassIn(String message, Map<Path, List<String>> pluginJars) {
        if (message == null) {
            return null;
        }
        for (String word : message.split("[\\s:]+")) {
            for (List<String> entries : pluginJars.values()) {
                if (entries.contains(word)) {
                    return word;
                }
            }
        }
        return null;
    }

    private static IllegalStateException cannotLoad(String className, String origin, Throwable e) {
        return new IllegalStateException(prefix(origin) + "cannot load projection class " + className + ": " + reason(e));
    }

    private static String prefix(String origin) {
        return origin.equals(BUILT_IN) ? "" : "plugin " + origin + ": ";
    }

    /** Why a provider failed, in one line and in words where ServiceLoader's are terse. */
    private static String reason(Throwable e) {
        String text;
        if (e instanceof ServiceConfigurationError) {
            String message = String.valueOf(e.getMessage()).replaceFirst("^" + Pattern.quote(Projection.class.getName()) + ": ", "");
            if (message.endsWith(" not found") && e.getCause() == null) {
                text = "class not found in the plugin jars or on the runner's class path";
            } else if (message.endsWith(" not a subtype")) {
                text = "it does not implement " + Projection.class.getName();
            } else if (message.contains("Unable to get public no-arg constructor")) {
                text = e.getCause() instanceof LinkageError ? describe(e.getCause()) : "it has no public no-arg constructor";
            } else if (message.contains("could not be instantiated") && e.getCause() != null) {
                text = e.getCause() instanceof LinkageError ? describe(e.getCause()) : "its constructor threw " + describe(e.getCause());
            } else {
                text = e.getCause() == null ? message : message + ": " + describe(e.getCause());
            }
        } else {
            text = describe(e);
        }
        return text.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    private static String describe(Throwable t) {
        if (t instanceof NoClassDefFoundError) {
            return "a class it needs is missing: " + String.valueOf(t.getMessage()).replace('/', '.') + " (NoClassDefFoundError)";
        }
        if (t instanceof ExceptionInInitializerError && t.getCause() != null) {
            return "its static initializer threw " + describe(t.getCause());
        }
        return t.getMessage() == null ? t.getClass().getName() : t.getClass().getName() + ": " + t.getMessage();
    }
}
