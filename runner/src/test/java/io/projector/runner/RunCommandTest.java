package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ops.Tables;
import io.projector.local.LocalDynamoDb;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** A wrong flag or setup stops {@code projector run} with one line that says what is wrong. */
class RunCommandTest {

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        err.getBuffer().setLength(0);
        return Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), onAFreePort(args));
    }

    /** A run binds its HTTP port before anything else; the default 8080 may be another process's. */
    private static String[] onAFreePort(String... args) {
        if (!args[0].equals("run") || java.util.Arrays.asList(args).contains("--http-port")) {
            return args;
        }
        String[] out = java.util.Arrays.copyOf(args, args.length + 2);
        out[args.length] = "--http-port";
        out[args.length + 1] = "0";
        return out;
    }

    @Test
    void tablesAreRequired() {
        assertThat(run("run", "--endpoint", "http://127.0.0.1:9")).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("--source-table and --read-model-table are required");
    }

    @Test
    void startPositionIsChecked() {
        assertThat(run("run", "--source-table", "src", "--read-model-table", "rmt", "--start-at", "MIDDLE")).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("--start-at must be TRIM_HORIZON or LATEST, was 'MIDDLE'");
    }

    @Test
    void leaderLockIsChecked() {
        assertThat(run("run", "--source-table", "src", "--read-model-table", "rmt", "--leader-lock-ms", "200")).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("--leader-lock-ms must be between 1000 and 600000, was 200");
    }

    @Test
    void aBusyHttpPortOrAForeignHostStopsTheStartBeforeTheWorkerStarts() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();
            // Nothing listens on the endpoint: a worker that started would fail on the tables instead.
            assertThat(run("run", "--source-table", "src", "--read-model-table", "rmt", "--endpoint", "http://127.0.0.1:9",
                    "--http-host", "127.0.0.1", "--http-port", Integer.toString(port))).as(err::toString).isEqualTo(2);
            assertThat(err.toString()).contains("cannot serve health and metrics on 127.0.0.1:" + port + " (--http-host, --http-port)")
                    .contains("choose another --http-port").doesNotContain("rmt");
        }
        // TEST-NET-3: an address no interface of this machine has.
        assertThat(run("run", "--source-table", "src", "--read-model-table", "rmt", "--endpoint", "http://127.0.0.1:9",
                "--http-host", "203.0.113.7", "--http-port", "0")).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("cannot serve health and metrics on 203.0.113.7:0 (--http-host, --http-port)");
    }

    @Test
    void endpointMustBeAUrl() {
        assertThat(run("run", "--source-table", "src", "--read-model-table", "rmt", "--endpoint", "localhost:8000")).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("--endpoint 'localhost:8000' is not an http(s) URL");
    }

    @Test
    void unknownProjectionNamesTheKnownOnes() {
        assertThat(run("run", "--source-table", "src", "--read-model-table", "rmt", "--endpoint", "http://127.0.0.1:9",
                "--projections", "order-history,nope")).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("no projection named 'nope'").contains("order-history").contains("order-counters");
    }

    @Test
    void tableNamesFollowDynamoDbRules() {
        assertThat(run("run", "--source-table", "ab", "--read-model-table", "r12", "--endpoint", "http://127.0.0.1:9")).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("source table 'ab' is not a DynamoDB table name");
    }

    @Test
    void sameTableForSourceAndReadModelIsRefused() {
        assertThat(run("run", "--source-table", "ttt", "--read-model-table", "ttt", "--endpoint", "http://127.0.0.1:9")).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("read-model table must differ from the source table");
    }

    @Test
    void unreachableEndpointIsSaidPlainly() {
        assertThat(run("run", "--source-table", "src", "--read-model-table", "rmt", "--endpoint", "http://127.0.0.1:9")).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains("cannot reach DynamoDB at http://127.0.0.1:9");
    }

    @Test
    void missingTablesAndMissingStreamAreNamed() {
        try (LocalDynamoDb local = LocalDynamoDb.inMemory();
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(LocalDynamoDb.CREDENTIALS).build()) {
            String endpoint = local.endpoint().toString();
            assertThat(run("run", "--source-table", "nosuch", "--read-model-table", "rmt", "--endpoint", endpoint)).as(err::toString).isEqualTo(2);
            assertThat(err.toString()).contains("source table 'nosuch' does not exist");

            Tables.createReadModelTable(dynamo, "plain");
            assertThat(run("run", "--source-table", "plain", "--read-model-table", "rmt", "--endpoint", endpoint)).as(err::toString).isEqualTo(2);
            assertThat(err.toString()).contains("source table 'plain' has no stream");

            Tables.createSourceTable(dynamo, "src");
            assertThat(run("run", "--source-table", "src", "--read-model-table", "rm1", "--endpoint", endpoint)).as(err::toString).isEqualTo(2);
            assertThat(err.toString()).contains("read-model table 'rm1' does not exist").contains("--create-tables");
        }
    }
}
