package io.projector.runner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The allow-list of plugin jars ({@code --plugin-digests FILE}): the SHA-256 digests of the jars
 * that may be loaded. A plugin runs inside the worker with its task role's credentials, so a jar
 * that is not on the list stops the start. The file is what {@code sha256sum *.jar} prints (a digest
 * and a name a line; the name is a reminder, only the digest counts) or bare digests; blank lines
 * and lines starting with {@code #} are skipped.
 *
 * @param file    where the list came from, for messages
 * @param digests lower-case hex
 */
record PluginDigests(Path file, Set<String> digests) {

    PluginDigests {
        digests = Set.copyOf(digests);
    }

    /** The list a setting names, or null when it names none (blank): then every jar of the plugins directory is loaded. */
    static PluginDigests of(String setting, String origin) {
        return setting == null || setting.isBlank() ? null : load(Path.of(setting.trim()), origin);
    }

    /**
     * Reads the list; a file that cannot be read, or a line that is not a digest, fails in one line.
     *
     * @param origin how the user named the file: --plugin-digests or PROJECTOR_PLUGIN_DIGESTS
     */
    static PluginDigests load(Path file, String origin) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(origin + " '" + file + "' cannot be read: " + e.getMessage());
        }
        Set<String> digests = new TreeSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String digest = line.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
            if (!digest.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(origin + " '" + file + "' line " + (i + 1) + ": '" + LogEscaping.escape(first(line))
                        + "' is not a SHA-256 digest (64 hex digits, as `sha256sum plugin.jar` prints them)");
            }
            digests.add(digest);
        }
        return new PluginDigests(file, digests);
    }

    private static String first(String line) {
        return line.length() <= 80 ? line : line.substring(0, 80) + "...";
    }

    /** Refuses, in one line naming the jar and its digest, a jar whose digest is not on the list. */
    void check(Path jar) {
        String digest = sha256(jar);
        if (!digests.contains(digest)) {
            throw new IllegalStateException("plugin " + jar + " is not on the allow-list " + file + ": its SHA-256 is " + digest
                    + "; add the line '" + digest + "  " + jar.getFileName() + "' if you trust this jar, or remove the jar");
        }
    }

    static String sha256(Path jar) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(jar)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("plugin " + jar + ": cannot read it: " + e.getMessage());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
