package io.projector.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Write your own projection" shows examples/order-tally, which .ci/run builds and tests;
 * this keeps the text from drifting away from that code (a new user copies the text, not the project).
 */
class ReadmeExampleTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path EXAMPLE = ROOT.resolve("examples/order-tally");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```\n", Pattern.DOTALL);

    @Test
    void theReadmeShowsTheExamplesProjectionAndPomAsTheyAre() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertThat(readme)
                .contains(Files.readString(EXAMPLE.resolve("src/main/java/com/example/ordertally/OrderTallyProjection.java")))
                .contains(Files.readString(EXAMPLE.resolve("pom.xml")))
                .contains(Files.readString(EXAMPLE.resolve("src/main/resources/META-INF/services/io.projector.Projection")))
                .contains("mvn -B -q install -DskipTests");
    }

    @Test
    void everyTestSnippetOfTheReadmeStandsInTheExamplesTestOneIndentDeeper() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String section = readme.substring(readme.indexOf("## Write your own projection"), readme.indexOf("### Shipping your own projections"));
        String test = Files.readString(EXAMPLE.resolve("src/test/java/com/example/ordertally/OrderTallyProjectionTest.java"));
        List<String> snippets = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(section);
        while (m.find()) {
            if (!m.group(1).startsWith("package ")) {   // the projection's whole file is checked above
                snippets.add(m.group(1));
            }
        }
        assertThat(snippets).isNotEmpty();
        for (String snippet : snippets) {
            assertThat(test).contains(snippet.replaceAll("(?m)^(?=.)", "    "));
        }
    }
}
