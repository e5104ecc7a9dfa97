package io.projector.runner;

import io.projector.runner.bench.BenchCommand;
import io.projector.runner.demo.DemoCommand;
import java.io.PrintWriter;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The {@code projector} command line. */
@Command(name = "projector",
        mixinStandardHelpOptions = true,
        version = "projector 0.1.0",
        description = "Stream-driven CQRS projections for DynamoDB.",
        subcommands = {RunCommand.class, DemoCommand.class, DlqCommand.class, BackfillCommand.class, ReplayCommand.class,
                RebuildCommand.class, StatusCommand.class, MigrateKeysCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    @Mixin CommonOptions common;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return execute(out, err, System.getenv(), args);
    }

    /** @param env the environment the settings are read from (System.getenv() but in tests) */
    static int execute(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        // Before anything logs: the config file, and the log format, stream and level.
        SettingsProvider settings;
        try {
            settings = SettingsProvider.load(args, env);
            LogSettings.resolve(commandOf(args), args, settings, LogSettings.stdoutIsTerminal()).apply();
        } catch (IllegalArgumentException e) {
            err.println("projector: " + e.getMessage());
            return 2;
        }
        // The Streams adapter and DynamoDB Local's SDK v1 log through java.util.logging.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        CommandLine cli;
        try {
            cli = commandLine(settings, out, err);
        } catch (IllegalArgumentException e) {
            err.println("projector: " + e.getMessage());
            return 2;
        }
        // A wrong flag or value: one line that names it (and where a value not given as a flag came from).
        cli.setParameterExceptionHandler((e, ignored) -> {
            String message = e.getMessage();
            if (e.getArgSpec() instanceof CommandLine.Model.OptionSpec option && SettingsProvider.isSetting(option)) {
                String origin = settings.origin(SettingsProvider.key(option));
                if (origin != null && !SettingsProvider.hasFlag(args, option.longestName())) {
                    message += " (from " + origin + ")";
                }
            }
            e.getCommandLine().getErr().println("projector: " + message + " (see '"
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                commandLine.getErr().println("projector: " + e.getMessage());
                return 2;
            }
            if (e instanceof SdkClientException) {
                commandLine.getErr().println("projector: cannot reach DynamoDB: " + e.getMessage());
                return 2;
            }
            if (e instanceof AwsServiceException aws) {
                commandLine.getErr().println("projector: DynamoDB refused the request: " + aws.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    /**
     * The command tree with the one provider of settings on its root, which picocli hands to every
     * subcommand; fails in one line on a config file key that no command knows.
     */
    static CommandLine commandLine(SettingsProvider settings, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main()).setOut(out).setErr(err);
        settings.checkKeys(cli);
        cli.setDefaultValueProvider(settings);
        return cli;
    }

    /** The subcommand: the first argument that is not an option ("" if none). */
    static String commandOf(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (CommonOptions.TAKES_VALUE.contains(arg)) {
                i++;
            } else if (!arg.startsWith("-")) {
                return arg;
            }
        }
        return "";
    }
}
