package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The worker's classpath ({@code target/lib}, what deploy/Dockerfile copies into the image) carries
 * neither DynamoDB Local — its licence forbids redistributing it — nor what it drags in, nor the
 * KCL's Glue Schema Registry stack, nor any test library; and a worker started from it, as the
 * image starts it, says in one line how to get the embedded database when asked for it. That the
 * slim worker projects is shown by every test that starts {@link WorkerProcess}es (same classpath).
 */
class SlimWorkerIT {

    private static final List<String> FORBIDDEN = List.of("dynamodblocal", "sqlite4java", "jetty", "log4j-core", "aws-java-sdk",
            "schema-registry", "glue", "kafka", "scala", "kotlin", "okhttp", "mockito", "junit", "assertj", "awaitility", "hamcrest");

    @Test
    void theWorkersClasspathHoldsNoDynamoDbLocalNoGlueAndNoTestLibrary() throws IOException {
        List<String> jars;
        try (Stream<Path> files = Files.list(Path.of("target", "lib"))) {
            jars = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        long bytes;
        try (Stream<Path> files = Files.list(Path.of("target", "lib"))) {
            bytes = files.mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf(Locale.ROOT, "SlimWorkerIT: target/lib holds %d jars, %.1f MiB%n", jars.size(), bytes / 1048576.0);
        assertThat(jars).isNotEmpty();
        assertThat(jars).noneMatch(j -> FORBIDDEN.stream().anyMatch(f -> j.toLowerCase(Locale.ROOT).contains(f)));
        try (Stream<Path> files = Files.list(Path.of("target", "local-lib"))) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(j -> j.startsWith("DynamoDBLocal"));
        }
    }

    @Test
    void askedForTheEmbeddedDatabaseTheSlimWorkerSaysHowToGetIt() throws Exception {
        for (List<String> args : List.of(List.of("run", "--local", "--data-dir", "target/slim-data"), List.of("demo"))) {
            ProcessBuilder builder = new ProcessBuilder(Stream.concat(Stream.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-jar", Path.of("target", "projector.jar").toString()), args.stream()).toList())
                    .redirectErrorStream(true);
            // Loopback and a free port, as every server a test starts: on the default 0.0.0.0:8080 the run
            // failed on whatever else held that port before it could say what this test waits for.
            builder.environment().put("PROJECTOR_HTTP_HOST", "127.0.0.1");
            builder.environment().put("PROJECTOR_HTTP_PORT", "0");
            Process p = builder.start();
            assertThat(p.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS)).as("exits").isTrue();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.exitValue()).as(output).isEqualTo(2);
            assertThat(output).as(output).contains("needs the embedded DynamoDB Local, which this installation leaves out")
                    .contains("./projector").doesNotContain("NoClassDefFoundError");
        }
    }

    @Test
    void theLaunchersClasspathAddsTheEmbeddedDatabase() throws Exception {
        Path log = Path.of("target", "launcher-local.log");
        Process p = new ProcessBuilder("bash", Path.of("..", "projector").toString(), "run", "--local", "--data-dir", "target/launcher-data",
                "--http-host", "127.0.0.1", "--http-port", "0").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.readString(log).contains("health, readiness and metrics on") || !p.isAlive());
            assertThat(Files.readString(log)).contains("embedded DynamoDB Local at http://127.0.0.1:");
        } finally {
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        }
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    }
}
