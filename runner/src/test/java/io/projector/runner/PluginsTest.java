package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.Projection;
import io.projector.testkit.ProjectionTestKit;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Projections in jars of a plugins directory join the built-in ones; a broken plugin stops the start in one line. */
class PluginsTest {

    @TempDir
    Path temp;

    private Path plugins() {
        return temp.resolve("plugins");
    }

    private static String noteCopy(String className, String name) {
        return PluginJarBuilder.copyProjection(className, name, "Note", "NOTE#", "COPY");
    }

    @Test
    void aPluginProjectionIsFoundWithTheBuiltInOnes() {
        new PluginJarBuilder().projection("com.acme.notes.NoteCopy", noteCopy("com.acme.notes.NoteCopy", "note-copy"))
                .build(plugins(), "notes.jar");

        ProjectionCatalog catalog = ProjectionCatalog.load(plugins());

        assertThat(catalog.select(null)).extracting(Projection::name)
                .contains("note-copy", "order-history", "order-counters");
        Projection noteCopy = catalog.select(List.of("note-copy")).get(0);
        assertThat(noteCopy.getClass().getName()).isEqualTo("com.acme.notes.NoteCopy");
        assertThat(noteCopy.getClass().getClassLoader()).as("loaded from the jar, not the test class path")
                .isNotSameAs(PluginsTest.class.getClassLoader());
        assertThat(noteCopy.getClass().getClassLoader().getParent()).isSameAs(ProjectionCatalog.class.getClassLoader());
        assertThat(noteCopy.entityTypes()).containsExactly("Note");

        // And it projects: a stream record in, the read-model item out.
        ProjectionTestKit kit = ProjectionTestKit.of(noteCopy);
        kit.applyJson("""
                {"eventName": "INSERT", "dynamodb": {"Keys": {"PK": {"S": "NOTE#7"}, "SK": {"S": "NOTE"}},
                 "NewImage": {"PK": {"S": "NOTE#7"}, "SK": {"S": "NOTE"}, "type": {"S": "Note"}, "id": {"S": "7"}, "text": {"S": "hi"}}}}
                """);
        assertThat(kit.item("NOTE#7", "COPY").orElseThrow().string("text")).isEqualTo("hi");
    }

    @Test
    void withoutAPluginsDirectoryOnlyTheBuiltInOnesAreFound() {
        assertThat(ProjectionCatalog.load(null).select(null)).extracting(Projection::name)
                .contains("order-history", "order-counters").doesNotContain("note-copy");
    }

    @Test
    void anEmptyPluginsDirectoryIsFine() throws Exception {
        Files.createDirectories(plugins());
        assertThat(ProjectionCatalog.load(plugins()).select(null)).extracting(Projection::name).contains("order-history");
    }

    @Test
    void aNameTakenByABuiltInProjectionNamesBothClassesAndTheJar() {
        Path jar = new PluginJarBuilder().projection("com.acme.History", noteCopy("com.acme.History", "order-history"))
                .build(plugins(), "dup.jar");

        assertThatThrownBy(() -> ProjectionCatalog.load(plugins()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("two projections are named 'order-history': com.acme.History (" + jar + ") and "
                        + "io.projector.projections.OrderHistoryProjection (built in)");
    }

    @Test
    void aNameTakenInAnotherPluginJarNamesBothJars() {
        Path a = new PluginJarBuilder().projection("com.acme.A", noteCopy("com.acme.A", "notes")).build(plugins(), "a.jar");
        Path b = new PluginJarBuilder().projection("com.acme.B", noteCopy("com.acme.B", "notes")).build(plugins(), "b.jar");

        assertThatThrownBy(() -> ProjectionCatalog.load(plugins()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("two projections are named 'notes': com.acme.B (" + b + ") and com.acme.A (" + a + ")");
    }

    @Test
    void twoVersionsOfOnePluginAreRefusedNamingBothJars() {
        Path old = new PluginJarBuilder().projection("com.acme.Tally", noteCopy("com.acme.Tally", "tally"))
                .build(plugins(), "tally-1.0.jar");
        Path newer = new PluginJarBuilder().projection("com.acme.Tally", noteCopy("com.acme.Tally", "tally"))
                .build(plugins(), "tally-1.1.jar");

        assertThatThrownBy(() -> ProjectionCatalog.load(plugins())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--plugins: projection class com.acme.Tally is declared by two jars, " + old + " and " + newer
                        + " (two versions of one plugin?): keep one of them in " + plugins());
    }

    @Test
    void aServicesFileNamingAMissingClassNamesTheJarAndTheClass() {
        Path jar = new PluginJarBuilder().service("com.acme.Missing").build(plugins(), "broken.jar");

        assertThatThrownBy(() -> ProjectionCatalog.load(plugins()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("plugin " + jar + ": cannot load projection class com.acme.Missing: "
                        + "class not found in the plugin jars or on the runner's class path");
    }

    @Test
    void aConstructorThatThrowsIsNamedWithItsReason() {
        Path jar = new PluginJarBuilder().projection("com.acme.Boom", """
                package com.acme;
                public final class Boom extends Base {
                    public Boom() { throw new IllegalStateException("no settings for Boom"); }
                }
                """).source("com.acme.Base", """
                package com.acme;
                public abstract class Base implements io.projector.Projection {
                    public String name() { return "boom"; }
                    public java.util.Set<String> entityTypes() { return java.util.Set.of("X"); }
                    public java.util.List<io.projector.Write> project(io.projector.ChangeEvent e) { return java.util.List.of(); }
                }
                """).build(plugins(), "boom.jar");

        assertThatThrownBy(() -> ProjectionCatalog.load(plugins()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("plugin " + jar + ": cannot load projection class com.acme.Boom: "
                        + "its constructor threw java.lang.IllegalStateException: no settings for Boom");
    }

    @Test
    void aClassThatIsNoProjectionOrHasNoPublicConstructorIsNamed() {
        Path jar = new PluginJarBuilder().projection("com.acme.NotOne", "package com.acme; public final class NotOne {}")
                .build(plugins(), "notone.jar");
        assertThatThrownBy(() -> ProjectionCatalog.load(plugins()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("plugin " + jar + ": cannot load projection class com.acme.NotOne: it does not implement io.projector.Projection");

        Path other = temp.resolve("other");
        Path jar2 = new PluginJarBuilder().projection("com.acme.Hidden", """
                package com.acme;
                public final class Hidden implements io.projector.Projection {
                    private Hidden() {}
                    public String name() { return "hidden"; }
                    public java.util.Set<String> entityTypes() { return java.util.Set.of("X"); }
                    public java.util.List<io.projector.Write> project(io.projector.ChangeEvent e) { return java.util.List.of(); }
                }
                """).build(other, "hidden.jar");
        assertThatThrownBy(() -> ProjectionCatalog.load(other))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("plugin " + jar2 + ": cannot load projection class com.acme.Hidden: it has no public no-arg constructor");
    }

    @Test
    void aClassItNeedsButTheJarLacksIsNamed() {
        Path jar = new PluginJarBuilder().projection("com.acme.Boom", """
                package com.acme;
                public final class Boom extends Base {
                }
                """).source("com.acme.Base", """
                package com.acme;
                public abstract class Base implements io.projector.Projection {
                    public String name() { return "boom"; }
                    public java.util.Set<String> entityTypes() { return java.util.Set.of("X"); }
                    public java.util.List<io.projector.Write> project(io.projector.ChangeEvent e) { return java.util.List.of(); }
                }
                """).leaveOut("com.acme.Base").build(plugins(), "nodeps.jar");

        assertThatThrownBy(() -> ProjectionCatalog.load(plugins()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("plugin " + jar + ": cannot load projection class com.acme.Boom: "
                        + "a class it needs is missing: com.acme.Base (NoClassDefFoundError)");
    }

    @Test
    void aMissingOrNonDirectoryPluginsPathIsRefused() throws Exception {
        Path missing = temp.resolve("nope");
        assertThatThrownBy(() -> ProjectionCatalog.load(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--plugins: directory '" + missing + "' does not exist");

        Path file = Files.writeString(temp.resolve("plugins.txt"), "not a directory");
        assertThatThrownBy(() -> ProjectionCatalog.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--plugins: '" + file + "' is not a directory");
    }

    @Test
    void projectorRunSaysWhatIsWrongInOneLine() {
        StringWriter err = new StringWriter();
        Path missing = temp.resolve("nope");
        int code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "run", "--http-port", "0", "--source-table", "src", "--read-model-table", "rmt", "--endpoint", "http://127.0.0.1:9", "--plugins", missing.toString());
        assertThat(code).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("projector: --plugins: directory '" + missing + "' does not exist" + System.lineSeparator());
    }

    @Test
    void projectorRunSelectsAPluginProjection() {
        new PluginJarBuilder().projection("com.acme.notes.NoteCopy", noteCopy("com.acme.notes.NoteCopy", "note-copy"))
                .build(plugins(), "notes.jar");
        StringWriter err = new StringWriter();
        // The selection passes; the start then stops at the unreachable endpoint.
        int code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "run", "--http-port", "0", "--source-table", "src", "--read-model-table", "rmt", "--endpoint", "http://127.0.0.1:9",
                "--plugins", plugins().toString(), "--projections", "note-copy");
        assertThat(code).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("cannot reach DynamoDB at http://127.0.0.1:9").doesNotContain("no projection named");
    }
}
