package io.projector.runner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The worker's HTTP endpoints, on the JDK's own server: {@code GET /health} (liveness),
 * {@code GET /ready} (readiness), both 200 or 503 with a small JSON body, and {@code GET /metrics}
 * (Prometheus text). Nothing else: no framework; {@link HttpListener} keeps them answering while
 * other clients are slow or idle.
 */
final class HealthServer implements AutoCloseable {

    static final String JSON = "application/json";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> ENDPOINTS = List.of("/health", "/ready", "/metrics");

    /** The result of a check: ok or not, a status word, and details for the JSON body. */
    record Check(boolean ok, String status, Map<String, Object> details) {
    }

    /** What the endpoints report. */
    interface Probe {
        /** Liveness: the process and the KCL scheduler are alive. */
        Check health();

        /** Readiness: leases taken, initial sync done, not shutting down. */
        Check readiness();
    }

    private final HttpListener listener;

    private HealthServer(HttpListener listener) {
        this.listener = listener;
    }

    /**
     * Listens on host:port (port 0: a free one) within {@link HttpLimits#DEFAULT}. A port that cannot
     * be bound fails in one line.
     *
     * @param metrics the Prometheus text of the metrics
     */
    static HealthServer start(String host, int port, Probe probe, Supplier<String> metrics) {
        return start(host, port, HttpLimits.DEFAULT, probe, metrics);
    }

    static HealthServer start(String host, int port, HttpLimits limits, Probe probe, Supplier<String> metrics) {
        try {
            return new HealthServer(new HttpListener(host, port, limits, request -> handle(request, probe, metrics)));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot serve health and metrics on " + host + ":" + port + " (--http-host, --http-port): "
                    + e.getMessage() + "; choose another --http-port, or 0 for a free one");
        }
    }

    private static HttpListener.Response handle(HttpListener.Request request, Probe probe, Supplier<String> metrics) {
        String method = request.method();
        String path = request.path();
        if (!ENDPOINTS.contains(path)) {
            return respond(404, JSON, json(Map.of("error", "not found", "endpoints", ENDPOINTS)));
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return new HttpListener.Response(405, JSON, json(Map.of("error", "method not allowed: use GET")), Map.of("Allow", "GET, HEAD"));
        }
        if (path.equals("/metrics")) {
            try {
                return respond(200, PROMETHEUS_TEXT, metrics.get());
            } catch (RuntimeException e) {
                return respond(500, JSON, json(Map.of("error", String.valueOf(e))));
            }
        }
        Check check;
        try {
            check = path.equals("/health") ? probe.health() : probe.readiness();
        } catch (RuntimeException e) {
            check = new Check(false, "DOWN", Map.of("error", String.valueOf(e)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", check.status());
        body.putAll(check.details());
        return respond(check.ok() ? 200 : 503, JSON, json(body));
    }

    private static HttpListener.Response respond(int status, String contentType, String body) {
        return new HttpListener.Response(status, contentType, body, Map.of());
    }

    private static String json(Map<String, ?> body) {
        try {
            return MAPPER.writeValueAsString(body) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The port listened on (the chosen one when 0 was asked for). */
    int port() {
        return listener.address().getPort();
    }

    /** The address listened on, e.g. 127.0.0.1:8080. */
    String address() {
        return listener.address().getHostString() + ":" + port();
    }

    @Override
    public void close() {
        listener.close();
    }
}
