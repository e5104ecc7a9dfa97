package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.Projection;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With an allow-list of digests, only the plugin jars on it are loaded; any other stops the start in one line naming it. */
class PluginDigestsTest {

    @TempDir
    Path temp;

    private Path plugins() {
        return temp.resolve("plugins");
    }

    private Path jar(String className, String name, String file) {
        return new PluginJarBuilder().projection(className, PluginJarBuilder.copyProjection(className, name, "Note", "NOTE#", "COPY"))
                .build(plugins(), file);
    }

    private Path allowList(String... lines) throws Exception {
        return Files.write(temp.resolve("plugins.sha256"), List.of(lines));
    }

    @Test
    void jarsOnTheListAreLoaded() throws Exception {
        Path notes = jar("com.acme.Notes", "notes", "notes.jar");
        Path list = allowList("# sha256sum plugins/*.jar", "", PluginDigests.sha256(notes) + "  notes.jar");

        ProjectionCatalog catalog = ProjectionCatalog.load(plugins(), PluginDigests.load(list, "--plugin-digests"));

        assertThat(catalog.select(null)).extracting(Projection::name).contains("notes", "order-history");
    }

    @Test
    void aJarNotOnTheListStopsTheStartNamingItAndItsDigest() throws Exception {
        Path notes = jar("com.acme.Notes", "notes", "notes.jar");
        Path extra = jar("com.acme.Extra", "extra", "extra.jar");
        Path list = allowList(PluginDigests.sha256(notes).toUpperCase() + " *notes.jar");
        String digest = PluginDigests.sha256(extra);

        assertThatThrownBy(() -> ProjectionCatalog.load(plugins(), PluginDigests.load(list, "--plugin-digests")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("plugin " + extra + " is not on the allow-list " + list + ": its SHA-256 is " + digest
                        + "; add the line '" + digest + "  extra.jar' if you trust this jar, or remove the jar");
    }

    @Test
    void aJarChangedAfterItWasListedIsRefused() throws Exception {
        Path notes = jar("com.acme.Notes", "notes", "notes.jar");
        Path list = allowList(PluginDigests.sha256(notes));
        Files.write(notes, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);

        assertThatThrownBy(() -> ProjectionCatalog.load(plugins(), PluginDigests.load(list, "--plugin-digests")))
                .hasMessageStartingWith("plugin " + notes + " is not on the allow-list");
    }

    @Test
    void aLineThatIsNotADigestIsNamed() throws Exception {
        Path list = allowList("# ok", "d41d8cd98f00b204e9800998ecf8427e  md5-not-sha256.jar");
        assertThatThrownBy(() -> PluginDigests.load(list, "PROJECTOR_PLUGIN_DIGESTS"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PROJECTOR_PLUGIN_DIGESTS '" + list + "' line 2: 'd41d8cd98f00b204e9800998ecf8427e  md5-not-sha256.jar' "
                        + "is not a SHA-256 digest (64 hex digits, as `sha256sum plugin.jar` prints them)");
    }

    @Test
    void projectorRunRefusesAnUnlistedJarInOneLine() throws Exception {
        Path notes = jar("com.acme.Notes", "notes", "notes.jar");
        Path list = allowList("0".repeat(64) + "  other.jar");
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "run", "--source-table", "src", "--read-model-table", "rmt", "--endpoint", "http://127.0.0.1:9",
                "--plugins", plugins().toString(), "--plugin-digests", list.toString());
        assertThat(code).as(err::toString).isNotZero();
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("projector: plugin " + notes + " is not on the allow-list " + list);
    }

    @Test
    void aMissingListIsNamed() {
        Path missing = temp.resolve("nope.sha256");
        assertThatThrownBy(() -> PluginDigests.load(missing, "--plugin-digests"))
                .hasMessageStartingWith("--plugin-digests '" + missing + "' cannot be read");
    }
}
