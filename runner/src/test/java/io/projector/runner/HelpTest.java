package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's --help prints its usage and nothing else: no picocli warning (a stray % in a description once gave one). */
class HelpTest {

    @Test
    void everyHelpEndsWithoutAWarning() {
        CommandLine root = Main.commandLine(SettingsProvider.load(new String[0], Map.of()), new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()));
        List<List<String>> paths = new ArrayList<>();
        Deque<List<String>> todo = new ArrayDeque<>(List.of(List.of()));
        while (!todo.isEmpty()) {
            List<String> path = todo.pop();
            paths.add(path);
            CommandLine command = root;
            for (String name : path) {
                command = command.getSubcommands().get(name);
            }
            for (String sub : command.getSubcommands().keySet()) {
                if (!sub.equals("help")) {
                    List<String> next = new ArrayList<>(path);
                    next.add(sub);
                    todo.add(next);
                }
            }
        }
        assertThat(paths).hasSizeGreaterThan(10);
        // picocli's tracer writes its warnings to System.err itself, not to the command line's err.
        PrintStream original = System.err;
        ByteArrayOutputStream traced = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(traced, true, StandardCharsets.UTF_8));
            for (List<String> path : paths) {
                List<String> args = new ArrayList<>(path);
                args.add("--help");
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), Map.of(), args.toArray(String[]::new));
                assertThat(code).as("%s", args).isZero();
                assertThat(err.toString()).as("%s", args).isEmpty();
                assertThat(out.toString()).as("%s", args).contains("Usage: projector").doesNotContain("%n").doesNotContain("${");
            }
        } finally {
            System.setErr(original);
        }
        assertThat(traced.toString(StandardCharsets.UTF_8)).doesNotContain("WARN").doesNotContain("%");
    }
}
