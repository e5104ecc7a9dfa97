package io.projector.local;

import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import com.amazonaws.services.dynamodbv2.local.shared.access.LocalDBAccess;
import com.amazonaws.services.dynamodbv2.local.shared.access.LocalDBClient;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
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
    private final LocalDynamoDBRequestHandler requests;
    private final LocalDynamoDBServerHandler handler;
    private final int port;

    private LocalDynamoDb(Path dataDir, int port) throws Exception {
        boolean inMemory = dataDir == null;
        if (!inMemory) {
            Files.createDirectories(dataDir);
        }
        // DynamoDB Local's own server binds every interface; ours binds loopback only.
        this.requests = new LocalDynamoDBRequestHandler(0, inMemory, inMemory ? null : dataDir.toAbsolutePath().toString(), true, false);
        this.handler = new LocalDynamoDBServerHandler(requests, null);
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

    /**
     * Closes the open shard of every stream and opens a child whose parent it is, as DynamoDB does
     * every few hours; DynamoDB Local does it only when asked, and offers that only in-process. Its
     * cost grows with every stream record in the database, per stream (a minute once a shared test
     * database holds a few dozen busy streams); prefer {@link #triggerShardRollovers(String...)}.
     */
    public void triggerShardRollovers() {
        synchronized (requests) {
            databases().forEach(AmazonDynamoDBLocal::triggerShardRollovers);
        }
    }

    /**
     * Rolls over the streams of the named tables only, as {@link #triggerShardRollovers()} does for
     * all of them, under the same per-table lock DynamoDB Local's own rollover job takes.
     */
    public void triggerShardRollovers(String... tables) {
        synchronized (requests) {
            for (AmazonDynamoDBLocal db : databases()) {
                LocalDBAccess access = access(db);
                for (String table : tables) {
                    ReentrantReadWriteLock lock = access.getLockForTable(table);
                    try {
                        if (!lock.writeLock().tryLock(30, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("could not lock table " + table + " to roll its stream over within 30 s");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while rolling over the stream of " + table, e);
                    }
                    try {
                        access.findAndRolloverActiveShards(table, 0L);
                    } finally {
                        lock.writeLock().unlock();
                    }
                }
            }
        }
    }

    /**
     * DynamoDB Local's request handler keeps its databases in a private map (one, as the database is
     * shared), and each its storage in a private field, so they are reached by reflection; a DynamoDB
     * Local release that moved them fails here by name.
     */
    private java.util.List<AmazonDynamoDBLocal> databases() {
        Map<?, ?> databases;
        try {
            Field field = LocalDynamoDBRequestHandler.class.getDeclaredField("dbRequestHandlers");
            field.setAccessible(true);
            databases = (Map<?, ?>) field.get(requests);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("cannot reach DynamoDB Local's databases to roll its stream shards over"
                    + " (LocalDynamoDBRequestHandler.dbRequestHandlers: " + e + "); check the DynamoDBLocal version", e);
        }
        if (databases.isEmpty()) {
            throw new IllegalStateException("DynamoDB Local has no database yet: create a table with a stream before rolling shards over");
        }
        // The handler adds databases to that map under its own lock, which the callers hold.
        return databases.values().stream().map(AmazonDynamoDBLocal.class::cast).toList();
    }

    private static LocalDBAccess access(AmazonDynamoDBLocal db) {
        try {
            Field field = LocalDBClient.class.getDeclaredField("dbAccess");
            field.setAccessible(true);
            return (LocalDBAccess) field.get(db);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("cannot reach DynamoDB Local's storage to roll a stream over"
                    + " (LocalDBClient.dbAccess: " + e + "); check the DynamoDBLocal version", e);
        }
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
