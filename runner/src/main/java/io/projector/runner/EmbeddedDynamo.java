package io.projector.runner;

import io.projector.local.LocalDynamoDb;
import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The embedded DynamoDB Local, reached only through here so that the worker runs without it.
 *
 * <p>DynamoDB Local's licence forbids redistributing it, so the worker's classpath ({@code lib/},
 * the image) never holds it; {@code ./projector} adds {@code runner/target/local-lib} for the demo,
 * {@code --local} and {@code bench}. No other runner class names {@link LocalDynamoDb}, so nothing
 * loads it unless one of those asks.
 */
public final class EmbeddedDynamo {

    /** Any credentials do for DynamoDB Local; the same as {@link LocalDynamoDb#CREDENTIALS}, without loading it. */
    public static final AwsCredentialsProvider CREDENTIALS = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));

    /** A started DynamoDB Local: where it listens, and how to stop it. */
    public record Started(URI endpoint, AutoCloseable server) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    private EmbeddedDynamo() {
    }

    static boolean available() {
        try {
            Class.forName("io.projector.local.LocalDynamoDb", false, EmbeddedDynamo.class.getClassLoader());
            Class.forName("com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer", false, EmbeddedDynamo.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Fails in one line, naming what asked for it, when DynamoDB Local is not on the classpath. */
    public static void require(String what) {
        if (!available()) {
            throw new IllegalArgumentException(what + " needs the embedded DynamoDB Local, which this installation leaves out (its licence "
                    + "forbids shipping it with the worker): run it from a clone with ./projector, which adds runner/target/local-lib, "
                    + "or give run and the table commands --endpoint URL of a DynamoDB Local you started");
        }
    }

    /** File-backed in {@code dataDir} (null: in memory), on 127.0.0.1:{@code port} (0: a free one). */
    public static Started start(String what, Path dataDir, int port) {
        require(what);
        if (dataDir == null) {
            LocalDynamoDb local = LocalDynamoDb.start(null, port);
            return new Started(local.endpoint(), local);
        }
        DataDirLock lock = DataDirLock.take(dataDir, what);
        try {
            LocalDynamoDb local = LocalDynamoDb.start(dataDir, port);
            return new Started(local.endpoint(), () -> {
                try {
                    local.close();
                } finally {
                    lock.close();
                }
            });
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }
}
