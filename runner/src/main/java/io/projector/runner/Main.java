package io.projector.runner;

import java.io.PrintWriter;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code projector} command line. */
@Command(name = "projector",
        mixinStandardHelpOptions = true,
        version = "projector 0.1.0",
        description = "Stream-driven CQRS projections for DynamoDB.",
        subcommands = {RunCommand.class, DemoCommand.class, DlqCommand.class, BackfillCommand.class, ReplayCommand.class,
                RebuildCommand.class, StatusCommand.class, MigrateKeysCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    static int execute(PrintWriter out, PrintWriter err, String... args) {
        // Before anything logs: the config file of `run`, and the log format, stream and level.
        String command = commandOf(args);
        String[] commandArgs = argsAfter(args, command);
        RunDefaults runDefaults = null;
        try {
            if (command.equals("run")) {
                runDefaults = RunDefaults.load(commandArgs, System.getenv());
            }
            LogSettings.resolve(command, commandArgs, runDefaults, System.getenv(), LogSettings.stdoutIsTerminal()).apply();
        } catch (IllegalArgumentException e) {
            err.println("projector: " + e.getMessage());
            return 2;
        }
        // The Streams adapter and DynamoDB Local's SDK v1 log through java.util.logging.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        CommandLine cli = new CommandLine(new Main()).setOut(out).setErr(err);
        if (runDefaults != null) {
            CommandLine run = cli.getSubcommands().get("run");
            try {
                runDefaults.checkKeys(run.getCommandSpec());
            } catch (IllegalArgumentException e) {
                err.println("projector: " + e.getMessage());
                return 2;
            }
            run.setDefaultValueProvider(runDefaults);
        }
        RunDefaults defaults = runDefaults;
        // A wrong flag or value: one line that names it (and where a value not given as a flag came from).
        cli.setParameterExceptionHandler((e, ignored) -> {
            String message = e.getMessage();
            if (defaults != null && e.getArgSpec() instanceof CommandLine.Model.OptionSpec) {
                CommandLine.Model.OptionSpec option = (CommandLine.Model.OptionSpec) e.getArgSpec();
                String origin = defaults.origin(RunDefaults.key(option));
                if (origin != null && !RunDefaults.hasFlag(commandArgs, option.longestName())) {
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

    /** The subcommand: the first argument that is not an option ("" if none). */
    static String commandOf(String[] args) {
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                return arg;
            }
        }
        return "";
    }

    private static String[] argsAfter(String[] args, String command) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(command)) {
                return java.util.Arrays.copyOfRange(args, i + 1, args.length);
            }
        }
        return new String[0];
    }
}
