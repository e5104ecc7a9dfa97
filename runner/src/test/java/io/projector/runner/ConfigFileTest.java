package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Settings of {@code projector run} come from a flag, else the environment, else the config file,
 * else the default; a wrong value stops the start with one line that names it.
 *
 * <p>The environment of this JVM cannot be changed, so the precedence is checked through
 * {@link SettingsProvider} with a given environment (as {@link Main} builds it from {@code System.getenv()}),
 * and the error paths through {@link Main#execute} with a file and flags.
 */
class ConfigFileTest {

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private Path file(String... lines) throws Exception {
        Path file = dir.resolve("projector.properties");
        Files.write(file, List.of(lines));
        return file;
    }

    /** Parses {@code run} the way Main does, without running it. */
    private static RunCommand parse(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "run";
        System.arraycopy(args, 0, all, 1, args.length);
        CommandLine cli = Main.commandLine(SettingsProvider.load(all, env), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        cli.parseArgs(all);
        return (RunCommand) cli.getSubcommands().get("run").getCommand();
    }

    private static CommandLine parseRoot(Map<String, String> env, String... args) {
        CommandLine cli = Main.commandLine(SettingsProvider.load(args, env), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        cli.parseArgs(args);
        return cli;
    }

    private int run(String... args) {
        err.getBuffer().setLength(0);
        return Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
    }

    private String oneLine() {
        assertThat(err.toString().lines().count()).as("one line: %s", err).isEqualTo(1);
        return err.toString().strip();
    }

    @Test
    void fileGivesSettingsAndFlagsWin() throws Exception {
        Path file = file("source-table=orders", "read-model-table=orders-read", "http-port=9100", "projections=order-history,order-counters",
                "park-unknown-types=true", "poll-interval-ms=250", "kcl-metrics=SUMMARY");
        RunCommand run = parse(Map.of(), "--config", file.toString(), "--http-port", "9200", "--source-table=orders-v2");
        assertThat(run.worker.tables.sourceTable).as("flag over file").isEqualTo("orders-v2");
        assertThat(run.serving.httpPort).as("flag over file").isEqualTo(9200);
        assertThat(run.worker.tables.readModelTable).as("file").isEqualTo("orders-read");
        assertThat(run.worker.projections.projections).as("file, split at commas").containsExactly("order-history", "order-counters");
        assertThat(run.worker.tuning.parkUnknownTypes).as("file").isTrue();
        assertThat(run.worker.tuning.pollIntervalMs).as("file").isEqualTo(250L);
        assertThat(run.serving.kclMetrics).as("file").isEqualTo("SUMMARY");
        assertThat(run.serving.httpHost).as("default").isEqualTo("127.0.0.1");
        assertThat(run.start.startAt).as("default").isEqualTo("TRIM_HORIZON");
    }

    @Test
    void environmentWinsOverTheFileAndLosesToFlags() throws Exception {
        Path file = file("source-table=from-file", "read-model-table=rm-from-file", "http-port=9100", "log-level=DEBUG");
        Map<String, String> env = Map.of("PROJECTOR_SOURCE_TABLE", "from-env", "PROJECTOR_HTTP_PORT", "9300",
                "PROJECTOR_CONFIG", file.toString());
        RunCommand run = parse(env, "--http-port", "9400");
        assertThat(run.worker.tables.sourceTable).as("env over file").isEqualTo("from-env");
        assertThat(run.worker.tables.readModelTable).as("file (named by PROJECTOR_CONFIG)").isEqualTo("rm-from-file");
        assertThat(run.serving.httpPort).as("flag over env").isEqualTo(9400);
        assertThat(((Main) parseRoot(env, "run").getCommand()).common.logLevel).as("file").isEqualTo("DEBUG");
    }

    @Test
    void blankEnvironmentValuesDoNotHideTheFile() throws Exception {
        Path file = file("source-table=from-file");
        RunCommand run = parse(Map.of("PROJECTOR_SOURCE_TABLE", " "), "--config", file.toString());
        assertThat(run.worker.tables.sourceTable).isEqualTo("from-file");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThat(run("run", "--config", dir.resolve("nope.properties").toString())).isEqualTo(2);
        assertThat(oneLine()).startsWith("projector: --config '").endsWith("nope.properties': no such file");
    }

    @Test
    void anUnknownKeyIsNamedWithTheKnownOnes() throws Exception {
        Path file = file("source-table=orders", "sourcetable=orders");
        assertThat(run("run", "--config", file.toString())).isEqualTo(2);
        assertThat(oneLine()).contains("unknown setting 'sourcetable'").contains("source-table").contains("http-port");
    }

    @Test
    void aValueThatIsNotANumberNamesTheSettingAndTheFile() throws Exception {
        Path file = file("source-table=src", "read-model-table=rmt", "http-port=eighty");
        assertThat(run("run", "--config", file.toString())).isEqualTo(2);
        assertThat(oneLine()).contains("--http-port").contains("'eighty'").contains("http-port in " + file);
    }

    @Test
    void anOutOfRangeValueFromTheFileNamesItsLine() throws Exception {
        Path file = file("source-table=src", "read-model-table=rmt", "http-port=70000");
        assertThat(run("run", "--config", file.toString())).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: http-port in " + file + ":3 must be between 0 and 65535, was 70000");
    }

    @Test
    void wrongFlagValuesGiveOneLineSayingWhatIsAllowed() {
        String[] base = {"run", "--source-table", "src", "--read-model-table", "rmt", "--endpoint", "http://127.0.0.1:9"};
        assertThat(run(concat(base, "--kcl-metrics", "LOTS"))).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --kcl-metrics must be NONE, SUMMARY or DETAILED, was 'LOTS'");

        assertThat(run(concat(base, "--http-port", "-1"))).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --http-port must be between 0 and 65535, was -1");

        assertThat(run(concat(base, "--poll-interval-ms", "0"))).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --poll-interval-ms must be between 1 and 60000, was 0");

        assertThat(run(concat(base, "--retry-attempts", "many"))).isEqualTo(2);
        assertThat(oneLine()).contains("--retry-attempts").contains("'many'");

        assertThat(run(concat(base, "--cloudwatch-namespace", "AWS/DynamoDB"))).isEqualTo(2);
        assertThat(oneLine()).contains("--cloudwatch-namespace must not start with AWS/");

        assertThat(run(concat(base, "--log-format", "xml"))).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --log-format must be json or text, was 'xml'");

        assertThat(run(concat(base, "--log-level", "LOUD"))).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --log-level must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, was 'LOUD'");

        assertThat(run(concat(base, "--no-such-flag"))).isEqualTo(2);
        assertThat(oneLine()).contains("Unknown option: '--no-such-flag'").contains("projector run --help");
    }

    @Test
    void aWrongLogSettingInTheFileIsNamed() throws Exception {
        Path file = file("source-table=src", "read-model-table=rmt", "log-format=yaml");
        assertThat(run("run", "--config", file.toString())).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: log-format in " + file + ":3 must be json or text, was 'yaml'");
    }

    @Test
    void cloudWatchIsRefusedWithTheEmbeddedDatabase() {
        assertThat(run("run", "--local", "--cloudwatch-namespace", "Projector", "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(oneLine()).contains("--cloudwatch-namespace publishes to AWS CloudWatch: not with --local");
    }

    private static String[] concat(String[] base, String... more) {
        String[] out = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, out, base.length, more.length);
        return out;
    }

    @Test
    void deadLetterSettingsBecomeThePolicy() throws Exception {
        RunCommand defaults = parse(Map.of());
        assertThat(defaults.worker.tuning.deadLetters.policy(key -> "--" + key)).isEqualTo(io.projector.worker.DeadLetterPolicy.DEFAULT);

        Path file = file("dead-letter-retention-days=3", "dead-letter-redact=ssn, email");
        RunCommand run = parse(Map.of("PROJECTOR_DEAD_LETTER_RETENTION_DAYS", "5"), "--config", file.toString());
        io.projector.worker.DeadLetterPolicy policy = run.worker.tuning.deadLetters.policy(key -> "--" + key);
        assertThat(policy.retention()).as("environment over file").isEqualTo(java.time.Duration.ofDays(5));
        assertThat(policy.keepImages()).isTrue();
        assertThat(policy.redactedAttributes()).containsExactlyInAnyOrder("ssn", "email");

        assertThat(parse(Map.of("PROJECTOR_DEAD_LETTER_IMAGES", "NONE")).worker.tuning.deadLetters.policy(key -> "--" + key).keepImages()).isFalse();
    }

    @Test
    void wrongDeadLetterSettingsAreNamed() throws Exception {
        String[] base = {"run", "--source-table", "src", "--read-model-table", "rmt", "--endpoint", "http://127.0.0.1:9"};
        assertThat(run(concat(base, "--dead-letter-retention-days", "0"))).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --dead-letter-retention-days must be between 1 and 365, was 0");

        assertThat(run(concat(base, "--dead-letter-images", "some"))).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --dead-letter-images must be full or none, was 'some'");

        Path file = file("dead-letter-images=none");
        assertThat(run(concat(base, "--config", file.toString(), "--dead-letter-redact", "ssn"))).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --dead-letter-redact redacts images, but dead-letter-images in " + file + ":1"
                + " is none: letters keep no images to redact; give one of the two");
    }

    @Test
    void theCommitModeComesFromFlagVariableOrFileAndWrongValuesAreNamed() throws Exception {
        assertThat(parse(Map.of()).worker.tuning.commit.policy(key -> "--" + key)).isEqualTo(io.projector.worker.CommitPolicy.TRANSACTIONAL);
        Path file = file("commit-mode=guarded", "in-flight-writes=4");
        io.projector.worker.CommitPolicy policy = parse(Map.of("PROJECTOR_TOMBSTONE_GRACE_MS", "60000"), "--config", file.toString())
                .worker.tuning.commit.policy(key -> "--" + key);
        assertThat(policy).isEqualTo(new io.projector.worker.CommitPolicy(io.projector.worker.CommitPolicy.Mode.GUARDED, 4,
                java.time.Duration.ofMinutes(1)));
        assertThat(policy.packing()).as("default: packed on DynamoDB Local, single on AWS").isEqualTo(io.projector.worker.CommitPolicy.Packing.AUTO);
        assertThat(parse(Map.of("PROJECTOR_GUARDED_PACKING", "single"), "--config", file("commit-mode=guarded", "guarded-packing=packed").toString())
                .worker.tuning.commit.policy(key -> "--" + key).packing()).as("the variable over the file").isEqualTo(io.projector.worker.CommitPolicy.Packing.SINGLE);
        assertThat(parse(Map.of(), "--config", file("commit-mode=guarded", "guarded-packing=Packed").toString())
                .worker.tuning.commit.policy(key -> "--" + key).packing()).isEqualTo(io.projector.worker.CommitPolicy.Packing.PACKED);
        assertThat(io.projector.worker.CommitPolicy.Packing.AUTO.resolve(true)).isEqualTo(io.projector.worker.CommitPolicy.Packing.PACKED);
        assertThat(io.projector.worker.CommitPolicy.Packing.AUTO.resolve(false)).isEqualTo(io.projector.worker.CommitPolicy.Packing.SINGLE);
        assertThat(io.projector.worker.CommitPolicy.Packing.SINGLE.resolve(true)).isEqualTo(io.projector.worker.CommitPolicy.Packing.SINGLE);

        String[] base = {"run", "--source-table", "src", "--read-model-table", "rmt", "--endpoint", "http://127.0.0.1:9"};
        assertThat(run(concat(base, "--commit-mode", "fast"))).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --commit-mode must be transactional or guarded, was 'fast'");
        assertThat(run(concat(base, "--commit-mode", "guarded", "--guarded-packing", "batched"))).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --guarded-packing must be auto, single or packed, was 'batched'");
        assertThat(run(concat(base, "--in-flight-writes", "0"))).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --in-flight-writes must be between 1 and 256, was 0");
        assertThat(run(concat(base, "--transactional-projections", "order-history"))).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --transactional-projections names projections for the guarded mode, but "
                + "--commit-mode is transactional: every projection already is; give one of the two");
        assertThat(run(concat(base, "--guarded-packing", "packed"))).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --guarded-packing is packed, but --commit-mode is transactional, which sends no "
                + "guarded writes: drop it, or give --commit-mode guarded");
    }

    @Test
    void theStuckBatchTimeComesFromFlagVariableOrFileAndIsChecked() throws Exception {
        Path file = file("stuck-batch-ms=120000");
        assertThat(parse(Map.of(), "--config", file.toString()).worker.tuning.stuckBatchMs).isEqualTo(120_000);
        assertThat(parse(Map.of("PROJECTOR_STUCK_BATCH_MS", "90000"), "--config", file.toString()).worker.tuning.stuckBatchMs).isEqualTo(90_000);
        assertThat(parse(Map.of()).worker.tuning.stuckBatchMs).as("default: 5 minutes").isEqualTo(300_000);

        assertThat(run("run", "--source-table", "src", "--read-model-table", "rmt", "--endpoint", "http://127.0.0.1:9",
                "--stuck-batch-ms", "500")).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: --stuck-batch-ms must be between 1000 and 86400000, was 500");
    }
}
