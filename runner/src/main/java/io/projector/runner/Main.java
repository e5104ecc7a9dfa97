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
        subcommands = {RunCommand.class, DemoCommand.class, DlqCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    static int execute(PrintWriter out, PrintWriter err, String... args) {
        // The Streams adapter and DynamoDB Local's SDK v1 log through java.util.logging.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        CommandLine cli = new CommandLine(new Main()).setOut(out).setErr(err);
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
}
