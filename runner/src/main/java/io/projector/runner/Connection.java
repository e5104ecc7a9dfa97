package io.projector.runner;

import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Where DynamoDB is: the embedded DynamoDB Local, an explicit endpoint, or AWS. Fails early, in one
 * line, when none of them is configured.
 */
public final class Connection implements AutoCloseable {

    private final AutoCloseable embedded;
    private final URI endpoint;
    private final String region;
    private final AwsCredentialsProvider credentials;
    private final DynamoDbClient dynamo;

    private Connection(AutoCloseable embedded, URI endpoint, String region, AwsCredentialsProvider credentials) {
        this.embedded = embedded;
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = credentials;
        var builder = DynamoDbClient.builder().region(Region.of(region)).credentialsProvider(credentials)
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(32));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        this.dynamo = builder.build();
    }

    /** Starts DynamoDB Local on 127.0.0.1, file-backed in {@code dataDir}. */
    public static Connection embedded(Path dataDir, int port) {
        EmbeddedDynamo.Started local = EmbeddedDynamo.start("--local", dataDir, port);
        return new Connection(local.server(), local.endpoint(), "us-east-1", EmbeddedDynamo.CREDENTIALS);
    }

    /** An explicit endpoint, or AWS when it is null. */
    static Connection of(String endpoint, String region) {
        String resolvedRegion = firstNonBlank(region, System.getenv("AWS_REGION"), System.getenv("AWS_DEFAULT_REGION"));
        if (endpoint != null && !endpoint.isBlank()) {
            URI uri = parseEndpoint(endpoint);
            boolean loopback = isLoopback(uri);
            AwsCredentialsProvider credentials = loopback && System.getenv("AWS_ACCESS_KEY_ID") == null
                    ? EmbeddedDynamo.CREDENTIALS : DefaultCredentialsProvider.builder().build();
            return new Connection(null, uri, resolvedRegion != null ? resolvedRegion : "us-east-1", credentials);
        }
        if (resolvedRegion == null) {
            throw new IllegalArgumentException("no AWS region: pass --region or set AWS_REGION; "
                    + "or use --endpoint URL for a DynamoDB Local you started, or --local for the embedded one");
        }
        DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        try {
            credentials.resolveCredentials();
        } catch (SdkClientException e) {
            throw new IllegalArgumentException("no AWS credentials found (environment, profile, container or instance role); "
                    + "or use --endpoint URL for a DynamoDB Local you started, or --local for the embedded one");
        }
        return new Connection(null, null, resolvedRegion, credentials);
    }

    private static URI parseEndpoint(String endpoint) {
        try {
            URI uri = URI.create(endpoint.trim());
            if (uri.getScheme() == null || uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--endpoint '" + endpoint + "' is not an http(s) URL such as http://127.0.0.1:8000");
        }
    }

    static boolean isLoopback(URI uri) {
        return io.projector.internal.LoopbackEndpoint.is(uri);
    }

    /** DynamoDB Local, embedded or on a loopback endpoint: fast-start tuning applies. */
    boolean isLocal() {
        return embedded != null || (endpoint != null && isLoopback(endpoint));
    }

    public URI endpoint() {
        return endpoint;
    }

    public String region() {
        return region;
    }

    public AwsCredentialsProvider credentials() {
        return credentials;
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    @Override
    public void close() {
        dynamo.close();
        if (embedded != null) {
            try {
                embedded.close();
            } catch (Exception e) {
                throw new IllegalStateException("stopping the embedded DynamoDB Local failed: " + e, e);
            }
        }
    }
}
