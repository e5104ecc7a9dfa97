package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorConfig;
import io.projector.ops.Tables;
import io.projector.Write;
import io.projector.local.LocalDynamoDb;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The worker in-process on DynamoDB Local with the runner's metrics and HTTP endpoints on loopback:
 * alive at once, ready once it holds a shard, metrics move as records are projected, not ready
 * after the stop.
 */
class ObservabilityIT {

    /** Copies each Note's text. */
    static final class NoteCopy implements Projection {
        @Override
        public String name() {
            return "note-copy";
        }

        @Override
        public Set<String> entityTypes() {
            return Set.of("Note");
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            String pk = "COPY#" + event.keys().string("PK");
            return event.newImage().isEmpty()
                    ? List.of(Write.delete(pk, "COPY"))
                    : List.of(Write.put(pk, "COPY").with("text", event.newImage().get().string("text")));
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(HealthServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the first sample of a metric (with any labels), or -1 if it is absent. */
    private static double sample(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(2)) : -1;
    }

    @Test
    void healthReadinessAndMetricsOfARunningWorker() throws Exception {
        try (LocalDynamoDb local = LocalDynamoDb.inMemory();
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(LocalDynamoDb.CREDENTIALS).build();
             Telemetry telemetry = new Telemetry()) {
            Tables.createSourceTable(dynamo, "obs-src");
            Tables.createReadModelTable(dynamo, "obs-rm");
            Tables.createLeaseTable(dynamo, "obs-app");
            ProjectorConfig config = ProjectorConfig.builder().sourceTable("obs-src").readModelTable("obs-rm").applicationName("obs-app")
                    .endpoint(local.endpoint()).credentials(LocalDynamoDb.CREDENTIALS).fastLocalTuning()
                    .meterRegistry(telemetry.registry()).build();

            Projector projector = Projector.start(config, List.of(new NoteCopy()));
            WorkerHealth health = new WorkerHealth();
            health.running(projector);
            try (HealthServer server = HealthServer.start("127.0.0.1", 0, health, telemetry::scrape)) {
                HttpResponse<String> alive = get(server, "/health");
                assertThat(alive.statusCode()).as(alive.body()).isEqualTo(200);
                assertThat(new ObjectMapper().readTree(alive.body()).get("status").asText()).isEqualTo("UP");

                // A new KCL application waits up to 30 s before its first shard sync.
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                        .until(() -> get(server, "/ready").statusCode() == 200);
                assertThat(new ObjectMapper().readTree(get(server, "/ready").body()).get("activeShards").asInt()).isPositive();

                for (int i = 1; i <= 5; i++) {
                    dynamo.putItem(b -> b.tableName("obs-src").item(Map.of(
                            "PK", AttributeValue.fromS("NOTE#" + System.nanoTime()), "SK", AttributeValue.fromS("NOTE"),
                            "type", AttributeValue.fromS("Note"), "text", AttributeValue.fromS("hello"))));
                }

                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    HttpResponse<String> metrics = get(server, "/metrics");
                    assertThat(metrics.statusCode()).isEqualTo(200);
                    assertThat(sample(metrics.body(), "projector_records_processed_total")).isGreaterThanOrEqualTo(5);
                    assertThat(sample(metrics.body(), "projector_commits_total")).isPositive();
                    assertThat(sample(metrics.body(), "projector_item_writes_total")).isGreaterThanOrEqualTo(5);
                    assertThat(sample(metrics.body(), "projector_commit_latency_seconds_count")).isPositive();
                });
                String metrics = get(server, "/metrics").body();
                assertThat(metrics).containsPattern("projector_shard_lag_milliseconds\\{shard=\"shardId-[^\"]+\"\\} [0-9.]+");
                assertThat(metrics).containsPattern("projector_shard_last_record_age_milliseconds\\{shard=\"shardId-[^\"]+\"\\} [0-9.]+");
                assertThat(sample(metrics, "projector_shards_active")).isEqualTo(1);
                assertThat(sample(metrics, "projector_shards_halted")).isZero();
                assertThat(sample(metrics, "projector_breaker_state")).isZero();
                assertThat(metrics).contains("projector_parked_total{projection=\"note-copy\"} 0.0");
                assertThat(metrics).contains("jvm_memory_used_bytes");

                // Stopped under the runner's feet (as when the scheduler dies): both probes see it.
                // (The runner's own stop, phase by phase, is in HealthServerTest.)
                assertThat(projector.stop(Duration.ofSeconds(25))).isTrue();
                assertThat(get(server, "/ready").statusCode()).isEqualTo(503);
                HttpResponse<String> down = get(server, "/health");
                assertThat(down.statusCode()).isEqualTo(503);
                assertThat(down.body()).contains("the KCL scheduler stopped");
                health.stopped();
                assertThat(get(server, "/ready").statusCode()).isEqualTo(503);
                assertThat(get(server, "/metrics").body()).as("a released shard's gauges go")
                        .doesNotContain("projector_shard_lag_milliseconds{");
            } finally {
                projector.stop(Duration.ofSeconds(5));
            }
        }
    }
}
