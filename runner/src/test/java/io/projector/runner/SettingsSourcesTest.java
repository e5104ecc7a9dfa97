package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command reads its settings from the same places, through the one provider on the root: the
 * flag, else {@code PROJECTOR_<FLAG>}, else the config file; and a bad value names where it came from.
 */
class SettingsSourcesTest {

    /** Each command that names a read-model table, with the arguments it needs besides. */
    private static final List<List<String>> READ_MODEL_COMMANDS = List.of(List.of("run"), List.of("backfill"), List.of("replay"),
            List.of("rebuild"), List.of("status"), List.of("migrate-keys"), List.of("dlq", "list"), List.of("dlq", "show", "KEY"),
            List.of("dlq", "redrive"), List.of("dlq", "purge"));

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    /** Parses the arguments the way Main does, without running anything; returns the command they name. */
    private static CommandLine parse(Map<String, String> env, List<String> args) {
        String[] all = args.toArray(String[]::new);
        CommandLine cli = Main.commandLine(SettingsProvider.load(all, env), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        List<CommandLine> parsed = cli.parseArgs(all).asCommandLineList();
        return parsed.get(parsed.size() - 1);
    }

    private static Object value(CommandLine command, String flag) {
        return command.getCommandSpec().findOption(flag).getValue();
    }

    private static List<String> with(List<String> command, String... more) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void everyCommandReadsASharedSettingFromTheEnvironmentAndTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("projector.properties"), "read-model-table=from-file\nregion=eu-west-1\n");
        for (List<String> command : READ_MODEL_COMMANDS) {
            assertThat(value(parse(Map.of("PROJECTOR_READ_MODEL_TABLE", "from-env"), command), "--read-model-table"))
                    .as("%s: the variable", command).isEqualTo("from-env");
            assertThat(value(parse(Map.of(), with(command, "--config", file.toString())), "--read-model-table"))
                    .as("%s: the file", command).isEqualTo("from-file");
            assertThat(value(parse(Map.of("PROJECTOR_CONFIG", file.toString()), command), "--region"))
                    .as("%s: the file named by PROJECTOR_CONFIG", command).isEqualTo("eu-west-1");
            assertThat(value(parse(Map.of("PROJECTOR_READ_MODEL_TABLE", "from-env"), with(command, "--read-model-table", "from-flag",
                    "--config", file.toString())), "--read-model-table")).as("%s: the flag wins", command).isEqualTo("from-flag");
        }
    }

    @Test
    void theDemoReadsItsDataDirectoryAndEveryCommandItsLogLevelTheSameWay() throws Exception {
        assertThat(value(parse(Map.of("PROJECTOR_DATA_DIR", "/tmp/from-env"), List.of("demo")), "--data-dir")).isEqualTo(Path.of("/tmp/from-env"));
        Path file = Files.writeString(dir.resolve("projector.properties"), "log-level=DEBUG\n");
        for (String command : List.of("run", "demo", "bench", "status", "backfill", "replay", "rebuild", "migrate-keys")) {
            assertThat(value(parse(Map.of("PROJECTOR_LOG_LEVEL", "WARN"), List.of(command)), "--log-level")).as(command).isEqualTo("WARN");
            assertThat(value(parse(Map.of(), List.of(command, "--config", file.toString())), "--log-level")).as(command).isEqualTo("DEBUG");
        }
    }

    @Test
    void aCommandsOwnArgumentsAreNotReadFromTheEnvironmentOrTheFile() {
        // A variable left behind must not confirm a purge or pick the table a rebuild builds.
        CommandLine purge = parse(Map.of("PROJECTOR_YES", "true", "PROJECTOR_PROJECTION", "x"), List.of("dlq", "purge"));
        assertThat(value(purge, "--yes")).isEqualTo(false);
        assertThat(value(purge, "--projection")).isNull();
        assertThat(value(parse(Map.of("PROJECTOR_NEW_TABLE", "t"), List.of("rebuild")), "--new-table")).isNull();
        assertThat(SettingsProvider.settingKeys(parse(Map.of(), List.of()))).doesNotContain("yes", "cancel", "new-table", "config");
    }

    private int run(Map<String, String> env, String... args) {
        err.getBuffer().setLength(0);
        return Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), env, args);
    }

    private String oneLine() {
        assertThat(err.toString().lines().count()).as("one line: %s", err).isEqualTo(1);
        return err.toString().strip();
    }

    @Test
    void aBadValueNamesTheVariableOrTheFileLineItCameFrom() throws Exception {
        assertThat(run(Map.of("PROJECTOR_SEGMENTS", "many"), "backfill", "--source-table", "src", "--read-model-table", "rmt")).isEqualTo(2);
        assertThat(oneLine()).contains("--segments").contains("'many'").contains("(from PROJECTOR_SEGMENTS)");

        Path file = Files.writeString(dir.resolve("bad.properties"), "# the local database\nlocal-port=eighty\n");
        assertThat(run(Map.of(), "status", "--config", file.toString())).isEqualTo(2);
        assertThat(oneLine()).contains("--local-port").contains("'eighty'").contains("(from local-port in " + file + ":2)");

        assertThat(run(Map.of("PROJECTOR_POLL_INTERVAL_MS", "0"), "replay", "--source-table", "src", "--read-model-table", "rmt")).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: PROJECTOR_POLL_INTERVAL_MS must be between 1 and 60000, was 0");

        Path range = Files.writeString(dir.resolve("range.properties"), "stuck-batch-ms=5\n");
        assertThat(run(Map.of(), "rebuild", "--config", range.toString(), "--source-table", "src", "--read-model-table", "rmt")).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: stuck-batch-ms in " + range + ":1 must be between 1000 and 86400000, was 5");

        assertThat(run(Map.of("PROJECTOR_LOG_LEVEL", "LOUD"), "dlq", "list")).isEqualTo(2);
        assertThat(oneLine()).isEqualTo("projector: PROJECTOR_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, was 'LOUD'");
    }

    @Test
    void oneFileServesEveryCommandButATypoIsNamedWithItsLine() throws Exception {
        // http-port is run's only; status takes the same file.
        Path file = Files.writeString(dir.resolve("projector.properties"), "http-port=9000\nread-model-table=rm\n");
        assertThat(value(parse(Map.of(), List.of("status", "--config", file.toString())), "--read-model-table")).isEqualTo("rm");

        Path typo = Files.writeString(dir.resolve("typo.properties"), "read-model-table=rm\nreadmodel-table=rm\n");
        assertThat(run(Map.of(), "status", "--config", typo.toString())).isEqualTo(2);
        assertThat(oneLine()).contains("unknown setting 'readmodel-table' (" + typo + ":2)").contains("read-model-table");
    }
}
