package io.projector.runner;

import java.util.List;
import java.util.Locale;

/**
 * Log format, stream and level, decided before logback starts: {@code logback.xml} reads the system
 * properties set by {@link #apply()}.
 *
 * <ul>
 *   <li>{@code projector run} logs to stdout: JSON lines when stdout is not a terminal (a container)
 *       or {@code --log-format json}; readable text on a terminal or with {@code --log-format text}.</li>
 *   <li>The other commands print their results on stdout, so their logs go to stderr, as text
 *       unless {@code --log-format json} (or its variable or config file line).</li>
 * </ul>
 *
 * @param format TEXT or JSON (the name of the appender in logback.xml)
 * @param target System.out or System.err
 * @param level  the level of the io.projector loggers
 */
record LogSettings(String format, String target, String level) {

    static final String FORMAT_PROPERTY = "projector.log.format";
    static final String TARGET_PROPERTY = "projector.log.target";
    static final String LEVEL_PROPERTY = "projector.log.level";
    static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    /**
     * @param command  the subcommand (run, demo, dlq, or "" for none)
     * @param args     all the arguments: --log-format and --log-level are options of every command
     * @param settings the environment-and-file lookup every command shares
     * @param terminal whether stdout is a terminal
     */
    static LogSettings resolve(String command, String[] args, SettingsProvider settings, boolean terminal) {
        boolean run = "run".equals(command);
        String[] format = setting("log-format", args, settings);
        String[] level = setting("log-level", args, settings);
        return new LogSettings(format(format, run && !terminal), run ? "System.out" : "System.err", level(level));
    }

    /** Checks a --log-format value; returns TEXT or JSON. */
    static String format(String[] setting, boolean jsonByDefault) {
        if (setting == null) {
            return jsonByDefault ? "JSON" : "TEXT";
        }
        String value = setting[0].trim().toUpperCase(Locale.ROOT);
        if (!value.equals("JSON") && !value.equals("TEXT")) {
            throw new IllegalArgumentException(setting[1] + " must be json or text, was '" + setting[0] + "'");
        }
        return value;
    }

    /** Checks a --log-level value. */
    static String level(String[] setting) {
        if (setting == null) {
            return "INFO";
        }
        String value = setting[0].trim().toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(value)) {
            throw new IllegalArgumentException(setting[1] + " must be one of " + String.join(", ", LEVELS) + ", was '" + setting[0] + "'");
        }
        return value;
    }

    /** {value, name of where it came from}, flag first, or null. */
    private static String[] setting(String key, String[] args, SettingsProvider settings) {
        String flag = SettingsProvider.flagValue(args, "--" + key);
        if (flag != null) {
            return new String[] {flag, "--" + key};
        }
        String value = settings.lookup(key);
        return value == null ? null : new String[] {value, settings.origin(key)};
    }

    /** Effective for the logback configuration that starts after this (the first logger asked for). */
    void apply() {
        System.setProperty(FORMAT_PROPERTY, format);
        System.setProperty(TARGET_PROPERTY, target);
        System.setProperty(LEVEL_PROPERTY, level);
    }

    /**
     * Whether stdout is a terminal. Before JDK 22 {@code System.console()} is null when it is not; from
     * JDK 22 on there may be a console anyway, and {@code Console.isTerminal()} tells.
     */
    static boolean stdoutIsTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
