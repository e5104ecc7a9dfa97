package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP endpoints on loopback: status codes, bodies and content types. */
class HealthServerTest {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicBoolean alive = new AtomicBoolean(true);
    private final AtomicBoolean ready = new AtomicBoolean(false);
    private HealthServer server;

    @BeforeEach
    void start() {
        HealthServer.Probe probe = new HealthServer.Probe() {
            @Override
            public HealthServer.Check health() {
                return new HealthServer.Check(alive.get(), alive.get() ? "UP" : "DOWN", Map.of("activeShards", 2));
            }

            @Override
            public HealthServer.Check readiness() {
                return new HealthServer.Check(ready.get(), ready.get() ? "READY" : "NOT_READY", Map.of("reason", "test"));
            }
        };
        server = HealthServer.start("127.0.0.1", 0, probe, () -> "# TYPE projector_records_processed_total counter\nprojector_records_processed_total 7.0\n");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return new ObjectMapper().readTree(response.body());
    }

    @Test
    void healthIs200WhileAliveAnd503Otherwise() throws Exception {
        HttpResponse<String> up = send("GET", "/health");
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json(up).get("status").asText()).isEqualTo("UP");
        assertThat(json(up).get("activeShards").asInt()).isEqualTo(2);

        alive.set(false);
        HttpResponse<String> down = send("GET", "/health");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(json(down).get("status").asText()).isEqualTo("DOWN");
    }

    @Test
    void readyFollowsTheProbe() throws Exception {
        HttpResponse<String> notReady = send("GET", "/ready");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json(notReady).get("status").asText()).isEqualTo("NOT_READY");
        assertThat(json(notReady).get("reason").asText()).isEqualTo("test");

        ready.set(true);
        HttpResponse<String> isReady = send("GET", "/ready");
        assertThat(isReady.statusCode()).isEqualTo(200);
        assertThat(json(isReady).get("status").asText()).isEqualTo("READY");
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        HttpResponse<String> metrics = send("GET", "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).contains("projector_records_processed_total 7.0");
    }

    @Test
    void headAnswersWithoutBody() throws Exception {
        HttpResponse<String> head = send("HEAD", "/health");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        HttpResponse<String> missing = send("GET", "/healthz");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).get("endpoints").toString()).contains("/health", "/ready", "/metrics");

        HttpResponse<String> post = send("POST", "/ready");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void aProbeThatThrowsIsUnhealthy() throws Exception {
        server.close();
        server = HealthServer.start("127.0.0.1", 0, new HealthServer.Probe() {
            @Override
            public HealthServer.Check health() {
                throw new IllegalStateException("boom");
            }

            @Override
            public HealthServer.Check readiness() {
                throw new IllegalStateException("boom");
            }
        }, () -> "");
        HttpResponse<String> health = send("GET", "/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(json(health).get("error").asText()).contains("boom");
    }

    @Test
    void aTakenPortFailsInOneLine() {
        assertThatThrownBy(() -> HealthServer.start("127.0.0.1", server.port(), new WorkerHealth(), () -> ""))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot serve health and metrics on 127.0.0.1:" + server.port())
                .hasMessageContaining("--http-port")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void workerHealthOutsideTheRunningPhase() throws Exception {
        server.close();
        WorkerHealth worker = new WorkerHealth();
        server = HealthServer.start("127.0.0.1", 0, worker, () -> "");
        assertThat(send("GET", "/health").statusCode()).as("starting").isEqualTo(503);
        assertThat(send("GET", "/ready").statusCode()).as("starting").isEqualTo(503);
        assertThat(json(send("GET", "/ready")).get("reason").asText()).isEqualTo("starting");

        worker.stopping();
        assertThat(send("GET", "/health").statusCode()).as("a graceful stop is alive").isEqualTo(200);
        HttpResponse<String> stopping = send("GET", "/ready");
        assertThat(stopping.statusCode()).as("stopping").isEqualTo(503);
        assertThat(json(stopping).get("reason").asText()).isEqualTo("shutting down");

        worker.stopped();
        assertThat(send("GET", "/health").statusCode()).as("stopped").isEqualTo(503);
        assertThat(send("GET", "/ready").statusCode()).as("stopped").isEqualTo(503);
    }
}
