package io.projector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine is needed: the Dockerfile's instructions are parsed (line continuations,
 * comments, stages) and checked for what running on ECS relies on.
 */
class DockerfileTest {

    private static final Path DEPLOY = Path.of("").toAbsolutePath();
    private static List<Instruction> all;
    private static List<Instruction> runtime;

    record Instruction(String keyword, String arguments, int stage) {
        boolean isJsonArray() {
            return arguments.startsWith("[") && arguments.endsWith("]");
        }

        List<String> jsonArray() {
            try {
                return new ObjectMapper().readValue(arguments, new TypeReference<List<String>>() { });
            } catch (IOException e) {
                throw new AssertionError(keyword + " is not a JSON array of strings: " + arguments, e);
            }
        }
    }

    @BeforeAll
    static void parse() throws IOException {
        all = parse(Files.readAllLines(DEPLOY.resolve("Dockerfile")));
        int last = all.get(all.size() - 1).stage();
        runtime = all.stream().filter(i -> i.stage() == last).toList();
    }

    static List<Instruction> parse(List<String> lines) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int stage = -1;
        for (String raw : lines) {
            String line = raw.strip();
            if (current.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
                continue;                       // comments and parser directives
            }
            if (!current.isEmpty() && line.startsWith("#")) {
                continue;                       // comment inside a continued instruction
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            String text = current.toString().strip();
            current.setLength(0);
            int space = text.indexOf(' ');
            String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
            String arguments = space < 0 ? "" : text.substring(space + 1).strip();
            if (keyword.equals("FROM")) {
                stage++;
            }
            out.add(new Instruction(keyword, arguments, stage));
        }
        assertThat(current).as("a continued instruction at the end of the file").isEmpty();
        return out;
    }

    private static List<Instruction> in(List<Instruction> instructions, String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    @Test
    void isMultiStageWithAMavenBuildAndAJreRuntime() {
        List<Instruction> froms = in(all, "FROM");
        assertThat(froms).hasSizeGreaterThanOrEqualTo(2);
        assertThat(froms.get(0).arguments()).isEqualTo("${BUILD_IMAGE} AS build");
        assertThat(in(all, "RUN").stream().filter(i -> i.stage() == 0).map(Instruction::arguments))
                .anySatisfy(run -> assertThat(run).contains("mvn ").contains("-DskipTests").contains("package")
                        .contains("-pl runner").contains("-am"));
        assertThat(froms.get(froms.size() - 1).arguments()).isEqualTo("${RUNTIME_IMAGE} AS runtime");
    }

    @Test
    void everyBaseImageIsABuildArgumentThatEachStageChecksIsPinnedByDigest() {
        assertThat(all.stream().filter(i -> i.stage() == -1).map(i -> i.keyword() + " " + i.arguments()))
                .as("declared before the first FROM, without a default tag to fall back on")
                .containsExactly("ARG BUILD_IMAGE", "ARG RUNTIME_IMAGE");
        for (String[] stage : new String[][] {{"0", "BUILD_IMAGE"}, {"1", "RUNTIME_IMAGE"}}) {
            int n = Integer.parseInt(stage[0]);
            List<Instruction> in = all.stream().filter(i -> i.stage() == n).toList();
            assertThat(in.get(1).keyword() + " " + in.get(1).arguments()).isEqualTo("ARG " + stage[1]);
            assertThat(in.get(2).keyword()).as("the check comes before anything else").isEqualTo("RUN");
            assertThat(in.get(2).arguments()).contains("echo \"$" + stage[1] + "\" | grep -Eq '@sha256:[0-9a-f]{64}$'")
                    .contains(stage[1] + " must be pinned by digest").contains("exit 1");
        }
    }

    @Test
    void runtimeStageCopiesTheRunnerJarAndLibIntoOptProjector() {
        List<String> copies = in(runtime, "COPY").stream().map(Instruction::arguments).toList();
        assertThat(copies).contains(
                "--from=build /src/runner/target/projector.jar /opt/projector/projector.jar",
                "--from=build /src/runner/target/lib/ /opt/projector/lib/");
    }

    @Test
    void runsAsANumericNonRootUser() {
        List<Instruction> users = in(runtime, "USER");
        assertThat(users).isNotEmpty();
        String user = users.get(users.size() - 1).arguments();
        assertThat(user).as("USER uid[:gid], numeric, so Kubernetes/ECS can tell it is not root").matches("\\d+(:\\d+)?");
        for (String id : user.split(":")) {
            assertThat(Integer.parseInt(id)).as("uid/gid").isGreaterThan(0);
        }
        assertThat(in(runtime, "RUN").stream().map(Instruction::arguments))
                .anySatisfy(run -> assertThat(run).contains("--uid " + user.split(":")[0]));
    }

    @Test
    void entrypointIsExecFormJavaSoSigtermReachesTheJvm() {
        List<Instruction> entrypoints = in(all, "ENTRYPOINT");
        List<Instruction> cmds = in(all, "CMD");
        assertThat(entrypoints).allSatisfy(i -> assertThat(i.isJsonArray()).as("exec form: " + i.arguments()).isTrue());
        assertThat(cmds).allSatisfy(i -> assertThat(i.isJsonArray()).as("exec form: " + i.arguments()).isTrue());

        List<Instruction> own = in(runtime, "ENTRYPOINT");
        assertThat(own).hasSize(1);
        List<String> entrypoint = own.get(0).jsonArray();
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint).containsSubsequence("-jar", "/opt/projector/projector.jar");
        assertThat(entrypoint.subList(entrypoint.indexOf("-jar"), entrypoint.size()))
                .containsExactly("-jar", "/opt/projector/projector.jar");
        assertThat(entrypoint).anySatisfy(a -> assertThat(a).matches("-XX:MaxRAMPercentage=\\d+(\\.\\d+)?"))
                .contains("-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp");

        List<Instruction> runtimeCmds = in(runtime, "CMD");
        assertThat(runtimeCmds).hasSize(1);
        assertThat(runtimeCmds.get(0).jsonArray()).containsExactly("run");
    }

    @Test
    void writesGoToTheDeclaredTmpVolumeOnly() {
        assertThat(in(runtime, "VOLUME").stream().map(Instruction::arguments))
                .anySatisfy(v -> assertThat(v).isIn("/tmp", "[\"/tmp\"]"));
        assertThat(in(runtime, "ENV").stream().map(Instruction::arguments))
                .noneSatisfy(env -> assertThat(env).contains("java.io.tmpdir=/var"));
    }

    @Test
    void declaresTheEmptyPluginsDirectory() {
        assertThat(in(runtime, "ENV").stream().map(Instruction::arguments))
                .anySatisfy(env -> assertThat(env).contains("PROJECTOR_PLUGINS=/opt/projector/plugins"));
        assertThat(in(runtime, "RUN").stream().map(Instruction::arguments))
                .anySatisfy(run -> assertThat(run).contains("mkdir -p").contains("/opt/projector/plugins"));
    }

    @Test
    void dockerIgnoreKeepsOnlyPomsAndMainSourcesAndTheStackUsesTheSamePatterns() throws IOException {
        List<String> patterns = ProjectorStack.dockerIgnorePatterns(DEPLOY.getParent());
        assertThat(patterns.get(0)).isEqualTo("**");
        assertThat(patterns).contains("!pom.xml", "!*/pom.xml", "!*/src/main/**", "!deploy/Dockerfile");
        assertThat(patterns).noneSatisfy(p -> assertThat(p).contains("target").startsWith("!"));
        assertThat(Files.readString(DEPLOY.resolve("Dockerfile"))).contains("COPY . .");
    }
}
