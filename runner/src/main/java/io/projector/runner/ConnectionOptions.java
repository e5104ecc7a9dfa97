package io.projector.runner;

import java.util.function.UnaryOperator;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where DynamoDB is: the embedded DynamoDB Local (--local), an explicit endpoint, or AWS in a region. */
@SettingGroup
final class ConnectionOptions {

    @Option(names = "--region", description = "AWS region (env PROJECTOR_REGION, else AWS_REGION).")
    String region;

    @Option(names = "--endpoint",
            description = "Explicit DynamoDB endpoint, e.g. a DynamoDB Local you started: http://127.0.0.1:8000 (env PROJECTOR_ENDPOINT).")
    String endpoint;

    @Option(names = "--local", defaultValue = "false",
            description = "Use the embedded DynamoDB Local, file-backed in --data-dir; run and backfill create the tables in it "
                    + "(env PROJECTOR_LOCAL; one process at a time on a data directory).")
    boolean local;

    @Option(names = "--local-port", defaultValue = "0",
            description = "Port of the embedded DynamoDB Local on 127.0.0.1, for your service to write to (env PROJECTOR_LOCAL_PORT; "
                    + "default: a free one).")
    int localPort;

    @Mixin DataDirOption dataDir;

    /**
     * Checks the flags before anything starts.
     *
     * @param setting names a setting (its key) as the user gave it: flag, variable or file line
     */
    void check(UnaryOperator<String> setting) {
        if (localPort < 0 || localPort > 65535) {
            throw new IllegalArgumentException(setting.apply("local-port") + " must be between 0 and 65535, was " + localPort);
        }
        if (local && endpoint != null && !endpoint.isBlank()) {
            throw new IllegalArgumentException("--local and --endpoint exclude each other: --local starts its own DynamoDB Local");
        }
    }

    /** Connects: the embedded DynamoDB Local, an endpoint, or AWS. */
    Connection connect(UnaryOperator<String> setting) {
        check(setting);
        return local ? Connection.embedded(dataDir.orElse(DataDirOption.LOCAL_DEFAULT), localPort) : Connection.of(endpoint, region);
    }
}
