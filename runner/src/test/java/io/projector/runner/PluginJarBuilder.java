package io.projector.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Builds a plugin jar at test time, as a user's build would: Java sources compiled against the
 * test class path (which holds projector-api), the classes, and
 * {@code META-INF/services/io.projector.Projection} listing the projection classes.
 */
final class PluginJarBuilder {

    private final Map<String, String> sources = new LinkedHashMap<>();
    private final List<String> services = new ArrayList<>();
    private final List<String> left = new ArrayList<>();

    /** Adds a class; {@code className} is fully qualified, {@code source} its whole compilation unit. */
    PluginJarBuilder source(String className, String source) {
        sources.put(className, source);
        return this;
    }

    /** Lists a class in the services file (it need not exist: that is a broken plugin). */
    PluginJarBuilder service(String className) {
        services.add(className);
        return this;
    }

    /** Compiles the class but leaves it out of the jar: a dependency the user forgot to ship. */
    PluginJarBuilder leaveOut(String className) {
        left.add(className);
        return this;
    }

    /** Adds a class and lists it in the services file. */
    PluginJarBuilder projection(String className, String source) {
        return source(className, source).service(className);
    }

    /** Writes {@code dir/jarName} and returns its path; {@code dir} is created when missing. */
    Path build(Path dir, String jarName) {
        try {
            Files.createDirectories(dir);
            Path work = Files.createTempDirectory("plugin-build-");
            try {
                Path classes = work.resolve("classes");
                Files.createDirectories(classes);
                compile(work.resolve("src"), classes);
                Path jar = dir.resolve(jarName);
                writeJar(classes, jar);
                return jar;
            } finally {
                try (Stream<Path> walk = Files.walk(work)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A projection source: a class {@code className} named {@code name} for {@code entityType} that
     * writes {@code <pkPrefix><id>} | {@code <sk>} with the item's {@code text}, and deletes it on REMOVE.
     */
    static String copyProjection(String className, String name, String entityType, String pkPrefix, String sk) {
        int dot = className.lastIndexOf('.');
        return """
                package %s;

                import io.projector.ChangeEvent;
                import io.projector.Item;
                import io.projector.Projection;
                import io.projector.Write;
                import java.util.List;
                import java.util.Set;

                public final class %s implements Projection {
                    public String name() { return "%s"; }
                    public Set<String> entityTypes() { return Set.of("%s"); }
                    public List<Write> project(ChangeEvent event) {
                        Item item = event.latestImage();
                        String pk = "%s" + item.string("id");
                        if (event.newImage().isEmpty()) {
                            return List.of(Write.delete(pk, "%s"));
                        }
                        return List.of(Write.put(pk, "%s").with("text", item.string("text")));
                    }
                }
                """.formatted(className.substring(0, dot), className.substring(dot + 1), name, entityType, pkPrefix, sk, sk);
    }

    private void compile(Path sourceDir, Path classes) throws IOException {
        if (sources.isEmpty()) {
            return;
        }
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Path file = sourceDir.resolve(s.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, s.getValue());
            files.add(file);
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no Java compiler: run the tests on a JDK, not a JRE");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "17", "-proc:none", "-d", classes.toString(),
                    "-classpath", System.getProperty("java.class.path"));
            boolean ok = compiler.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
            if (!ok) {
                throw new IllegalStateException("the plugin sources do not compile: " + diagnostics.getDiagnostics());
            }
        }
    }

    private static String className(Path classes, Path classFile) {
        String name = classes.relativize(classFile).toString().replace('\\', '/');
        return name.substring(0, name.length() - ".class".length()).replace('/', '.');
    }

    private void writeJar(Path classes, Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            List<Path> classFiles;
            try (Stream<Path> walk = Files.walk(classes)) {
                classFiles = walk.filter(Files::isRegularFile).filter(c -> !left.contains(className(classes, c))).sorted().toList();
            }
            for (Path c : classFiles) {
                out.putNextEntry(new JarEntry(classes.relativize(c).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(c));
                out.closeEntry();
            }
            if (!services.isEmpty()) {
                out.putNextEntry(new JarEntry("META-INF/services/io.projector.Projection"));
                out.write(("# projections of " + jar.getFileName() + "\n" + String.join("\n", services) + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
    }
}
