package io.projector.runner;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The one default provider of the command line, installed on the root so that every command reads
 * the same sources: for a setting whose flag is not given, the environment variable
 * {@code PROJECTOR_<NAME>}, else the config file ({@code --config FILE} or {@code PROJECTOR_CONFIG}:
 * a Java properties file whose keys are the long flag names without dashes, e.g.
 * {@code source-table=orders}), else null, and picocli falls back to the built-in default. So the
 * precedence is flag &gt; environment &gt; file &gt; default. Settings are the options of the groups
 * marked {@link SettingGroup}. Remembers where each value came from, for error messages and the
 * configuration {@code run} logs at start.
 */
final class SettingsProvider implements CommandLine.IDefaultValueProvider {

    static final String CONFIG_ENV = "PROJECTOR_CONFIG";
    /** Options of setting groups that name where settings are, not a setting. */
    private static final Set<String> NOT_SETTINGS = Set.of("config");

    private final Map<String, String> env;
    private final Path file;
    private final Properties properties;
    private final List<String> lines;
    private final Map<String, String> origins = new ConcurrentHashMap<>();

    private SettingsProvider(Map<String, String> env, Path file, Properties properties, List<String> lines) {
        this.env = env;
        this.file = file;
        this.properties = properties;
        this.lines = lines;
    }

    /**
     * Reads the config file named by {@code --config} anywhere among the arguments, else by
     * {@code PROJECTOR_CONFIG}; none is fine. A file that cannot be read fails in one line.
     */
    static SettingsProvider load(String[] args, Map<String, String> env) {
        String named = flagValue(args, "--config");
        String origin = "--config";
        if (named == null) {
            named = blankToNull(env.get(CONFIG_ENV));
            origin = CONFIG_ENV;
        }
        if (named == null) {
            return new SettingsProvider(env, null, new Properties(), List.of());
        }
        Path path = Path.of(named.trim());
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(origin + " '" + named + "': no such file");
        }
        Properties properties = new Properties();
        List<String> lines;
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(origin + " '" + named + "' cannot be read as a properties file: " + e.getMessage());
        }
        return new SettingsProvider(env, path, properties, lines);
    }

    /**
     * Every key of the file must name a setting of some command: one file serves them all, so a key
     * only {@code run} knows is fine for {@code status}, but a typo is not.
     */
    void checkKeys(CommandLine root) {
        Set<String> known = settingKeys(root);
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("config file " + file + ": unknown setting '" + key + "' (" + where(key)
                        + "); keys are the long flag names without dashes: " + String.join(", ", known));
            }
        }
    }

    /** The keys of every setting of the command and its subcommands. */
    static Set<String> settingKeys(CommandLine root) {
        Set<String> known = new TreeSet<>();
        Deque<CommandLine> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            CommandLine command = todo.pop();
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (isSetting(option)) {
                    known.add(key(option));
                }
            }
            todo.addAll(command.getSubcommands().values());
        }
        return known;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        return arg instanceof OptionSpec option && isSetting(option) ? lookup(key(option)) : null;
    }

    /** Whether an option is a setting: declared in a {@link SettingGroup}, and not --config itself. */
    static boolean isSetting(OptionSpec option) {
        return option.userObject() instanceof Field field && field.getDeclaringClass().isAnnotationPresent(SettingGroup.class)
                && !NOT_SETTINGS.contains(key(option));
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
            origins.put(key, key + " in " + where(key));
            return value.trim();
        }
        return null;
    }

    /** Where a setting's value came from when no flag gave it: the variable's name, "KEY in FILE:LINE", or null. */
    String origin(String key) {
        return origins.get(key);
    }

    /** FILE:LINE of the line that sets a key, the last one winning as in {@link Properties}. */
    private String where(String key) {
        Pattern line = Pattern.compile("^\\s*" + Pattern.quote(key) + "\\s*([=:\\s]|$).*");
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (line.matcher(lines.get(i)).matches()) {
                return file + ":" + (i + 1);
            }
        }
        return file.toString();
    }

    /**
     * How to name a setting of a command in a message: its flag when given (or when nothing else gave
     * the value), else the variable or file line that did.
     */
    static String name(CommandSpec spec, String key) {
        if (spec == null) {
            return "--" + key;
        }
        CommandLine cli = spec.commandLine();
        if (cli.getParseResult() != null && cli.getParseResult().hasMatchedOption("--" + key)) {
            return "--" + key;
        }
        if (cli.getDefaultValueProvider() instanceof SettingsProvider settings && settings.origin(key) != null) {
            return settings.origin(key);
        }
        return "--" + key;
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
