package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The runner's own logback.xml (not the tests' logback-test.xml), configured into a fresh logger
 * context the way Main leaves the properties for {@code projector run}, writing to a captured stdout.
 */
class JsonLogTest {

    private static List<String> logThrough(String format, Consumer<LoggerContext> logging) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());   // MDC.put below, as the engine does it
        context.putProperty(LogSettings.FORMAT_PROPERTY, format);
        context.putProperty(LogSettings.TARGET_PROPERTY, "System.out");
        context.putProperty(LogSettings.LEVEL_PROPERTY, "INFO");
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(JsonLogTest.class.getResource("/logback.xml"));
            MDC.put("shard", "shardId-0001");
            MDC.put("projection", "order-counters");
            try {
                logging.accept(context);
            } finally {
                MDC.clear();
            }
        } finally {
            System.setOut(original);
            context.stop();
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static void parkedLine(LoggerContext context) {
        org.slf4j.Logger log = context.getLogger("io.projector.internal.shard.ShardProjector");
        log.info("parked {} for projection '{}'", "a \"quoted\" change", "order-counters");
        log.debug("below the level");
        context.getLogger("software.amazon.kinesis.leases.LeaseCleanupManager").info("tuned down");
    }

    @Test
    void jsonLinesCarryTheShardAndProjection() throws Exception {
        List<String> lines = logThrough("JSON", JsonLogTest::parkedLine);
        assertThat(lines).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        assertThat(line.get("message").asText()).isEqualTo("parked a \"quoted\" change for projection 'order-counters'");
        assertThat(line.get("level").asText()).isEqualTo("INFO");
        assertThat(line.get("logger_name").asText()).isEqualTo("io.projector.internal.shard.ShardProjector");
        assertThat(line.get("shard").asText()).isEqualTo("shardId-0001");
        assertThat(line.get("projection").asText()).isEqualTo("order-counters");
        assertThat(line.has("@timestamp")).isTrue();
        assertThat(line.has("@version")).as("left out").isFalse();
    }

    @Test
    void aStackTraceStaysInsideItsLine() throws Exception {
        List<String> lines = logThrough("JSON", context -> context.getLogger("io.projector.worker.Projector")
                .error("failed", new IllegalStateException("boom")));
        assertThat(lines).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        assertThat(line.get("level").asText()).isEqualTo("ERROR");
        assertThat(line.get("stack_trace").asText()).contains("IllegalStateException: boom").contains("\n\tat ");
        assertThat(line.get("shard").asText()).isEqualTo("shardId-0001");
    }

    @Test
    void textIsReadable() throws Exception {
        List<String> lines = logThrough("TEXT", JsonLogTest::parkedLine);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).doesNotStartWith("{").contains(" INFO ").contains("shardId-0001")
                .endsWith("parked a \"quoted\" change for projection 'order-counters'");
    }

    @Test
    void textEscapesControlCharactersOfMessagesKeysAndExceptions() throws Exception {
        List<String> lines = logThrough("TEXT", context -> {
            MDC.put("shard", "shardId-1\r\nFAKE");
            context.getLogger("io.projector.internal.shard.ShardProjector")
                    .warn("parked {} for projection '{}'", "PK=ORDER#1\r\n12:00:00.000 INFO  io.projector.worker.Projector - all is well", "p");
            context.getLogger("io.projector.worker.Projector").error("failed", new IllegalStateException("boom\nERROR forged line"));
        });
        assertThat(lines).as("one line for the warning; the error's line, its exception's first line, and its frames").hasSizeGreaterThan(3);
        assertThat(lines.get(0)).contains("shardId-1\\r\\nFAKE")
                .endsWith("parked PK=ORDER#1\\r\\n12:00:00.000 INFO  io.projector.worker.Projector - all is well for projection 'p'");
        assertThat(lines.get(1)).endsWith("- failed");
        assertThat(lines.get(2)).isEqualTo("java.lang.IllegalStateException: boom\\nERROR forged line");
        assertThat(lines.subList(3, lines.size())).allSatisfy(line -> assertThat(line).startsWith("\tat "));
    }
}
