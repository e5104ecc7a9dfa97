package io.projector.runner;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The value of a {@code projector run} setting whose flag is not given: the environment variable
 * {@code PROJECTOR_<NAME>}, else the config file ({@code --config FILE} or {@code PROJECTOR_CONFIG}:
 * a Java properties file whose keys are the long flag names without dashes, e.g.
 * {@code source-table=orders}), else null, and picocli falls back to the built-in default. So the
 * precedence is flag &gt; environment &gt; file &gt; default. Remembers where each value came from,
 * for error messages and the configuration logged at start.
 */
final class RunDefaults implements CommandLine.IDefaultValueProvider {

    static final String CONFIG_ENV = "PROJECTOR_CONFIG";
    /** Options that are not settings of the worker. */
    private static final Set<String> NOT_SETTINGS = Set.of("config", "help", "version");

    private final Map<String, String> env;
    private final Path file;
    private final Properties properties;
    private final Map<String, String> origins = new ConcurrentHashMap<>();

    private RunDefaults(Map<String, String> env, Path file, Properties properties) {
        this.env = env;
        this.file = file;
        this.properties = properties;
    }

    /**
     * Reads the config file named by {@code --config} among the run command's arguments, else by
     * {@code PROJECTOR_CONFIG}; none is fine. A file that cannot be read fails in one line.
     */
    static RunDefaults load(String[] runArgs, Map<String, String> env) {
        String named = flagValue(runArgs, "--config");
        String origin = "--config";
        if (named == null) {
            named = blankToNull(env.get(CONFIG_ENV));
            origin = CONFIG_ENV;
        }
        if (named == null) {
            return new RunDefaults(env, null, new Properties());
        }
        Path path = Path.of(named.trim());
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(origin + " '" + named + "': no such file");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(origin + " '" + named + "' cannot be read as a properties file: " + e.getMessage());
        }
        return new RunDefaults(env, path, properties);
    }

    /** Every key of the file must name a setting of the command. */
    void checkKeys(CommandSpec spec) {
        Set<String> known = new TreeSet<>();
        for (OptionSpec option : spec.options()) {
            String key = key(option);
            if (!NOT_SETTINGS.contains(key)) {
                known.add(key);
            }
        }
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("config file " + file + ": unknown setting '" + key
                        + "'; keys are the long flag names without dashes: " + String.join(", ", known));
            }
        }
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec)) {
            return null;
        }
        String key = key((OptionSpec) arg);
        return NOT_SETTINGS.contains(key) ? null : lookup(key);
    }

    /** The environment's value of a setting, else the file's, else null (the built-in default). */
    String lookup(String key) {
        String name = envName(key);
        String value = blankToNull(env.get(name));
        if (value != null) {
            origins.put(key, name);
            return value;
        }
        value = properties.getProperty(key);
        if (value != null) {
            origins.put(key, key + " in " + file);
            return value.trim();
        }
        return null;
    }

    /** Where a setting's value came from when no flag gave it: the variable's name, "KEY in FILE", or null. */
    String origin(String key) {
        return origins.get(key);
    }

    Path file() {
        return file;
    }

    static String envName(String key) {
        return "PROJECTOR_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** {@code --source-table} -> {@code source-table}. */
    static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    /** The value of {@code --flag VALUE} or {@code --flag=VALUE} in the arguments, the last one winning; null if absent. */
    static String flagValue(String[] args, String flag) {
        String value = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(flag) && i + 1 < args.length) {
                value = args[++i];
            } else if (args[i].startsWith(flag + "=")) {
                value = args[i].substring(flag.length() + 1);
            }
        }
        return value;
    }

    /** Whether the arguments give the flag. */
    static boolean hasFlag(String[] args, String flag) {
        for (String arg : args) {
            if (arg.equals(flag) || arg.startsWith(flag + "=")) {
                return true;
            }
        }
        return false;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
