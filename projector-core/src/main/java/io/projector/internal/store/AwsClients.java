package io.projector.internal.store;

import io.projector.worker.ProjectorConfig;
import java.time.Duration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/** The SDK clients of one worker, all pointed at the configured region or endpoint. */
public final class AwsClients implements AutoCloseable {

    private final DynamoDbClient dynamo;
    private final DynamoDbAsyncClient dynamoAsync;
    private final DynamoDbStreamsClient streams;
    private final CloudWatchAsyncClient cloudWatch;

    public AwsClients(ProjectorConfig config) {
        Region region = Region.of(config.region());
        ClientOverrideConfiguration overrides = ClientOverrideConfiguration.builder()
                .apiCallAttemptTimeout(Duration.ofSeconds(10))
                .apiCallTimeout(Duration.ofSeconds(30))
                .build();
        ClientOverrideConfiguration.Builder readModelOverrides = overrides.toBuilder();
        config.readModelInterceptors().forEach(readModelOverrides::addExecutionInterceptor);
        var dynamoBuilder = DynamoDbClient.builder().region(region).credentialsProvider(config.credentials())
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(64))
                .overrideConfiguration(readModelOverrides.build());
        var asyncBuilder = DynamoDbAsyncClient.builder().region(region).credentialsProvider(config.credentials())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(64));
        var streamsBuilder = DynamoDbStreamsClient.builder().region(region).credentialsProvider(config.credentials())
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(64))
                .overrideConfiguration(overrides);
        if (config.endpoint() != null) {
            dynamoBuilder.endpointOverride(config.endpoint());
            asyncBuilder.endpointOverride(config.endpoint());
            streamsBuilder.endpointOverride(config.endpoint());
        }
        this.dynamo = dynamoBuilder.build();
        this.dynamoAsync = asyncBuilder.build();
        this.streams = streamsBuilder.build();
        // The KCL insists on a CloudWatch client even with metrics off; it is never called then.
        this.cloudWatch = CloudWatchAsyncClient.builder().region(region).credentialsProvider(config.credentials())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()).build();
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public DynamoDbAsyncClient dynamoAsync() {
        return dynamoAsync;
    }

    public DynamoDbStreamsClient streams() {
        return streams;
    }

    public CloudWatchAsyncClient cloudWatch() {
        return cloudWatch;
    }

    @Override
    public void close() {
        dynamo.close();
        dynamoAsync.close();
        streams.close();
        cloudWatch.close();
    }
}
