package io.projector.runner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The worker's HTTP endpoints, on the JDK's own server: {@code GET /health} (liveness),
 * {@code GET /ready} (readiness), both 200 or 503 with a small JSON body, and {@code GET /metrics}
 * (Prometheus text). Nothing else: no framework, two daemon threads.
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

    private final HttpServer server;
    private final ExecutorService executor;

    private HealthServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Listens on host:port (port 0: a free one). A port that cannot be bound fails in one line.
     *
     * @param metrics the Prometheus text of the metrics
     */
    static HealthServer start(String host, int port, Probe probe, Supplier<String> metrics) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot serve health and metrics on " + host + ":" + port + " (--http-host, --http-port): "
                    + e.getMessage() + "; choose another --http-port, or 0 for a free one");
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "projector-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try {
                handle(exchange, probe, metrics);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return new HealthServer(server, executor);
    }

    private static void handle(HttpExchange exchange, Probe probe, Supplier<String> metrics) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (!ENDPOINTS.contains(path)) {
            respond(exchange, 404, JSON, json(Map.of("error", "not found", "endpoints", ENDPOINTS)));
            return;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(exchange, 405, JSON, json(Map.of("error", "method not allowed: use GET")));
            return;
        }
        if (path.equals("/metrics")) {
            String text;
            try {
                text = metrics.get();
            } catch (RuntimeException e) {
                respond(exchange, 500, JSON, json(Map.of("error", String.valueOf(e))));
                return;
            }
            respond(exchange, 200, PROMETHEUS_TEXT, text);
            return;
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
        respond(exchange, check.ok() ? 200 : 503, JSON, json(body));
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
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
        return server.getAddress().getPort();
    }

    /** The address listened on, e.g. 0.0.0.0:8080. */
    String address() {
        return server.getAddress().getHostString() + ":" + port();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
