package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that connect and send nothing, or half a request, must neither starve {@code /health} nor
 * stay connected for ever. (With the JDK server's two threads, two such connections made every
 * probe time out.)
 */
class HealthServerSlowClientsTest {

    private static final HealthServer.Probe UP = new HealthServer.Probe() {
        @Override
        public HealthServer.Check health() {
            return new HealthServer.Check(true, "UP", Map.of());
        }

        @Override
        public HealthServer.Check readiness() {
            return new HealthServer.Check(true, "READY", Map.of());
        }
    };

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
    private final List<Socket> slow = new ArrayList<>();
    private HealthServer server;

    @AfterEach
    void stop() throws IOException {
        for (Socket s : slow) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Half idle (connected, nothing sent), half stuck in the middle of their request head. */
    private void openSlowConnections(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            Socket s = new Socket("127.0.0.1", server.port());
            slow.add(s);
            if (i % 2 == 1) {
                s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
        }
    }

    private long healthMillis() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"UP\"");
        return millis;
    }

    @Test
    void healthAnswersWithinASecondWhileSlowConnectionsAreOpen() throws Exception {
        server = HealthServer.start("127.0.0.1", 0, UP, () -> "");
        openSlowConnections(8);
        for (int probe = 0; probe < 5; probe++) {
            assertThat(healthMillis()).as("probe %d", probe).isLessThan(1_000);
        }
    }

    @Test
    void pastTheConnectionLimitTheOldestSlowConnectionMakesRoom() throws Exception {
        server = HealthServer.start("127.0.0.1", 0, new HttpLimits(1, 4, Duration.ofSeconds(30), Duration.ofSeconds(30), 8_192), UP, () -> "");
        openSlowConnections(10);
        for (int probe = 0; probe < 3; probe++) {
            assertThat(healthMillis()).as("probe %d", probe).isLessThan(1_000);
        }
        assertThat(closedByServer(slow.get(0))).as("the oldest slow connection").isTrue();
    }

    @Test
    void idleAndUnfinishedRequestsAreClosedAtTheirDeadlines() throws Exception {
        server = HealthServer.start("127.0.0.1", 0, new HttpLimits(2, 16, Duration.ofMillis(300), Duration.ofMillis(500), 8_192), UP, () -> "");
        openSlowConnections(2);
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> closedByServer(slow.get(0)) && closedByServer(slow.get(1)));
        assertThat((System.nanoTime() - start) / 1_000_000).as("closed after the deadlines, not before").isGreaterThanOrEqualTo(250);
        assertThat(healthMillis()).isLessThan(1_000);
    }

    @Test
    void aClientThatTricklesItsRequestIsCutAtTheRequestTimeout() throws Exception {
        server = HealthServer.start("127.0.0.1", 0, new HttpLimits(2, 16, Duration.ofSeconds(30), Duration.ofMillis(400), 8_192), UP, () -> "");
        Socket trickler = new Socket("127.0.0.1", server.port());
        slow.add(trickler);
        OutputStream out = trickler.getOutputStream();
        out.write('G');
        // A byte every poll keeps it from being idle; the request deadline still ends it.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
            try {
                out.write('E');
                out.flush();
            } catch (IOException e) {
                return true;
            }
            return closedByServer(trickler);
        });
    }

    @Test
    void anOversizedRequestHeadIsRefused() throws Exception {
        server = HealthServer.start("127.0.0.1", 0, new HttpLimits(2, 16, Duration.ofSeconds(30), Duration.ofSeconds(30), 1_024), UP, () -> "");
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("GET /health HTTP/1.1\r\nX: " + "a".repeat(2_000)).getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 431 ");
        }
    }

    /** Whether the server has closed the connection (end of stream), checked without waiting long. */
    private static boolean closedByServer(Socket s) throws IOException {
        s.setSoTimeout(20);
        InputStream in = s.getInputStream();
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;   // reset by the server
        }
    }
}
