package io.projector.local;

import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The real DynamoDB Local (from Maven Central), served over HTTP on 127.0.0.1 only, on a free port
 * or a chosen one. In memory, or file-backed in a directory so a later start resumes its data
 * (stream records included, for 24 hours). Telemetry is off.
 */
public final class LocalDynamoDb implements AutoCloseable {

    /** DynamoDB Local accepts any credentials; with a shared database these do not even name the file. */
    public static final AwsCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));

    private final Server server;
    private final LocalDynamoDBServerHandler handler;
    private final int port;

    private LocalDynamoDb(Path dataDir, int port) throws Exception {
        boolean inMemory = dataDir == null;
        if (!inMemory) {
            Files.createDirectories(dataDir);
        }
        // DynamoDB Local's own server binds every interface; ours binds loopback only.
        this.handler = new LocalDynamoDBServerHandler(
                new LocalDynamoDBRequestHandler(0, inMemory, inMemory ? null : dataDir.toAbsolutePath().toString(), true, false),
                null);
        this.server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new DynamoDBProxyServer(0, handler).setUpHandler(handler));
        server.start();
        this.port = connector.getLocalPort();
    }

    /** An in-memory database on a free loopback port. */
    public static LocalDynamoDb inMemory() {
        return start(null, 0);
    }

    /** @param dataDir where the database file lives (null: in memory); @param port 0 for a free one */
    public static LocalDynamoDb start(Path dataDir, int port) {
        try {
            return new LocalDynamoDb(dataDir, port);
        } catch (Exception e) {
            throw new IllegalStateException("could not start DynamoDB Local on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return port;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping a local test server; nothing to recover
        } finally {
            handler.close();
        }
    }
}
