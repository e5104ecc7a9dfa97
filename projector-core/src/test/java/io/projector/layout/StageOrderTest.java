package io.projector.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine reads as a row of stages, each depending only on those to its left:
 * {@code plan <- store <- guard <- commit <- shard <- {handoff, kcl} <- internal (Engine) <- worker <- ops}
 * (guard, the guarded commit's pure part, sits before the commit that will send it). Every
 * {@code import io.projector.internal...} in the main sources is checked against that table; the
 * worker imports nothing of ops; the engine imports of the public packages only the values and
 * configurations handed across ({@link #HANDED_ACROSS}), as resilience4j's {@code RetryImpl} reads
 * its public {@code RetryConfig}.
 */
class StageOrderTest {

    /** For each package of the engine, the engine packages it may import. */
    static final Map<String, Set<String>> ALLOWED = Map.of(
            "io.projector.internal.plan", Set.of(),
            "io.projector.internal.store", Set.of("plan"),
            "io.projector.internal.guard", Set.of("plan", "store"),
            "io.projector.internal.commit", Set.of("plan", "store", "guard"),
            "io.projector.internal.shard", Set.of("plan", "store", "guard", "commit"),
            "io.projector.internal.handoff", Set.of("plan", "store", "guard", "commit", "shard"),
            "io.projector.internal.kcl", Set.of("plan", "store", "guard", "commit", "shard"),
            "io.projector.internal", Set.of("plan", "store", "guard", "commit", "shard", "handoff", "kcl"));

    /** What the engine may import of {@code io.projector.worker} and {@code io.projector.ops}. */
    static final Set<String> HANDED_ACROSS = Set.of(
            "io.projector.worker.ProjectorConfig", "io.projector.worker.DeadLetterPolicy", "io.projector.worker.CommitPolicy",
            "io.projector.ops.DeadLetter", "io.projector.ops.BackfillConfig", "io.projector.ops.BackfillProgress");

    private static final Pattern PUBLIC_IMPORT = Pattern.compile("^import (?:static )?(io\\.projector\\.(?:worker|ops)\\.\\w+)[.;]", Pattern.MULTILINE);
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.projector\\.internal\\.(\\w+)[.;]", Pattern.MULTILINE);

    @Test
    void noImportGoesAgainstTheStageOrder() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                violations.addAll(violations(f.toString(), Files.readString(f)));
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void theCheckCatchesAnImportAgainstTheOrder() {
        String source = "package io.projector.internal.plan;\n\nimport io.projector.internal.store.WatermarkStore;\n";
        assertThat(violations("Planner.java", source))
                .containsExactly("Planner.java: io.projector.internal.plan imports io.projector.internal.store");
        String kcl = "package io.projector.internal.kcl;\n\nimport io.projector.internal.handoff.HandOffTracker;\n";
        assertThat(violations("Glue.java", kcl)).hasSize(1);
        String unknown = "package io.projector.internal.misc;\n\nimport io.projector.internal.plan.Chunk;\n";
        assertThat(violations("Misc.java", unknown)).containsExactly("Misc.java: io.projector.internal.misc is not in the stage table");
        assertThat(violations("Shard.java", "package io.projector.internal.shard;\n\nimport io.projector.internal.commit.ChunkCommitter;\n")).isEmpty();
        assertThat(violations("Worker.java", "package io.projector.worker;\n\nimport io.projector.ops.Tables;\n"))
                .containsExactly("Worker.java: io.projector.worker imports io.projector.ops.Tables");
        assertThat(violations("Store.java", "package io.projector.internal.store;\n\nimport io.projector.ops.DeadLetters;\n"))
                .containsExactly("Store.java: io.projector.internal.store imports io.projector.ops.DeadLetters");
        assertThat(violations("Store.java", "package io.projector.internal.store;\n\nimport io.projector.worker.ProjectorConfig;\n")).isEmpty();
    }

    /** One line per import against the table; packages outside the engine may import any stage. */
    static List<String> violations(String file, String source) {
        Matcher pkg = PACKAGE.matcher(source);
        String own = pkg.find() ? pkg.group(1) : "";
        boolean engine = own.equals("io.projector.internal") || own.startsWith("io.projector.internal.");
        List<String> out = new ArrayList<>();
        Matcher pub = PUBLIC_IMPORT.matcher(source);
        while (pub.find()) {
            String type = pub.group(1);
            boolean workerOnOps = own.equals("io.projector.worker") && type.startsWith("io.projector.ops.");
            if (workerOnOps || (engine && !HANDED_ACROSS.contains(type))) {
                out.add(file + ": " + own + " imports " + type);
            }
        }
        if (!engine) {
            return out;
        }
        Set<String> allowed = ALLOWED.get(own);
        if (allowed == null) {
            return List.of(file + ": " + own + " is not in the stage table");
        }
        Matcher m = IMPORT.matcher(source);
        while (m.find()) {
            String stage = m.group(1);
            boolean isClassOfTheRoot = Character.isUpperCase(stage.charAt(0));
            String target = isClassOfTheRoot ? "io.projector.internal" : "io.projector.internal." + stage;
            if (!target.equals(own) && (isClassOfTheRoot || !allowed.contains(stage))) {
                out.add(file + ": " + own + " imports " + target);
            }
        }
        return out;
    }
}
