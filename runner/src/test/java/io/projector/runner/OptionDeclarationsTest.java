package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Every flag is declared once, in one class, whichever commands take it; and the commands that start a worker take the same tuning. */
class OptionDeclarationsTest {

    private static CommandLine tree() {
        return Main.commandLine(SettingsProvider.load(new String[0], Map.of()), new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()));
    }

    private static List<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        Deque<CommandLine> todo = new ArrayDeque<>(List.of(tree()));
        while (!todo.isEmpty()) {
            CommandLine command = todo.pop();
            all.add(command);
            todo.addAll(command.getSubcommands().values());
        }
        return all;
    }

    @Test
    void eachLongOptionNameIsBackedByASingleDeclaration() {
        Map<String, Set<String>> declaredIn = new TreeMap<>();
        for (CommandLine command : commands()) {
            for (OptionSpec option : command.getCommandSpec().options()) {
                assertThat(option.userObject()).as("%s of %s", option.longestName(), command.getCommandName()).isInstanceOf(Field.class);
                String where = ((Field) option.userObject()).getDeclaringClass().getName();
                if (where.startsWith("picocli.")) {
                    continue; // --help and --version: picocli's own, on its help command and in every command's standard mixin
                }
                for (String name : option.names()) {
                    if (name.startsWith("--")) {
                        declaredIn.computeIfAbsent(name, k -> new TreeSet<>()).add(where);
                    }
                }
            }
        }
        assertThat(declaredIn).containsKeys("--read-model-table", "--data-dir", "--timeout-seconds", "--config", "--poll-interval-ms");
        declaredIn.forEach((name, classes) -> assertThat(classes).as("the classes declaring %s", name).hasSize(1));
    }

    @Test
    void noDefaultReadsTheEnvironmentByItself() {
        for (CommandLine command : commands()) {
            for (OptionSpec option : command.getCommandSpec().options()) {
                assertThat(String.valueOf(option.defaultValue())).as("%s of %s: the provider reads the environment", option.longestName(),
                        command.getCommandName()).doesNotContain("${env:");
            }
        }
    }

    @Test
    void everyCommandInheritsTheCommonOptions() {
        for (CommandLine command : commands()) {
            if (command.getCommand() instanceof CommandLine.HelpCommand) {
                continue;
            }
            for (String name : List.of("--config", "--log-format", "--log-level")) {
                assertThat(command.getCommandSpec().findOption(name)).as("%s of %s", name, command.getCommandSpec().qualifiedName()).isNotNull();
            }
        }
    }

    @Test
    void theCommandsThatStartAWorkerTakeTheSameTuning() {
        CommandLine root = tree();
        List<String> tuning = root.getSubcommands().get("run").getCommandSpec().options().stream()
                .filter(o -> ((Field) o.userObject()).getDeclaringClass() == TuningOptions.class
                        || ((Field) o.userObject()).getDeclaringClass() == DeadLetterOptions.class
                        || ((Field) o.userObject()).getDeclaringClass() == CommitOptions.class)
                .map(OptionSpec::longestName).toList();
        assertThat(tuning).contains("--poll-interval-ms", "--failover-ms", "--leader-lock-ms", "--retry-attempts", "--stuck-batch-ms",
                "--worker-id", "--dead-letter-retention-days", "--commit-mode", "--in-flight-writes", "--tombstone-grace-ms",
                "--transactional-projections", "--guarded-packing");
        for (String command : List.of("backfill", "replay", "rebuild")) {
            for (String flag : tuning) {
                assertThat(root.getSubcommands().get(command).getCommandSpec().findOption(flag)).as("%s of %s", flag, command).isNotNull();
            }
        }
    }
}
