package io.projector.internal.kcl;

import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.dynamodb.model.ListStreamsRequest;
import software.amazon.awssdk.services.dynamodb.model.ListStreamsResponse;
import software.amazon.awssdk.services.dynamodb.model.Stream;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsServiceClientConfiguration;

/**
 * DynamoDB Local names its stream ARNs with the region {@code ddblocal}, which the Kinesis adapter
 * rejects, and it answers ResourceNotFound for any other region. This client shows the adapter ARNs
 * in a real region and hands DynamoDB Local its own. Used only against DynamoDB Local.
 */
public final class LocalStreamsClient implements DynamoDbStreamsClient {

    static final String LOCAL_REGION = ":ddblocal:";

    private final DynamoDbStreamsClient delegate;
    private final String region;

    public LocalStreamsClient(DynamoDbStreamsClient delegate, String region) {
        this.delegate = delegate;
        this.region = ":" + region + ":";
    }

    public static boolean isLocalArn(String streamArn) {
        return streamArn != null && streamArn.contains(LOCAL_REGION);
    }

    /** The ARN as the adapter must see it. */
    public String toAdapter(String arn) {
        return arn == null ? null : arn.replace(LOCAL_REGION, region);
    }

    private String toLocal(String arn) {
        return arn == null ? null : arn.replace(region, LOCAL_REGION);
    }

    @Override
    public DescribeStreamResponse describeStream(DescribeStreamRequest request) {
        DescribeStreamResponse r = delegate.describeStream(request.toBuilder().streamArn(toLocal(request.streamArn())).build());
        if (r.streamDescription() == null) {
            return r;
        }
        return r.toBuilder().streamDescription(r.streamDescription().toBuilder()
                .streamArn(toAdapter(r.streamDescription().streamArn())).build()).build();
    }

    @Override
    public GetShardIteratorResponse getShardIterator(GetShardIteratorRequest request) {
        return delegate.getShardIterator(request.toBuilder().streamArn(toLocal(request.streamArn())).build());
    }

    @Override
    public GetRecordsResponse getRecords(GetRecordsRequest request) {
        return delegate.getRecords(request);
    }

    @Override
    public ListStreamsResponse listStreams(ListStreamsRequest request) {
        ListStreamsResponse r = delegate.listStreams(request.toBuilder()
                .exclusiveStartStreamArn(toLocal(request.exclusiveStartStreamArn())).build());
        return r.toBuilder()
                .streams(r.streams().stream().map(s -> s.toBuilder().streamArn(toAdapter(s.streamArn())).build()).toArray(Stream[]::new))
                .lastEvaluatedStreamArn(toAdapter(r.lastEvaluatedStreamArn()))
                .build();
    }

    @Override
    public String serviceName() {
        return delegate.serviceName();
    }

    @Override
    public DynamoDbStreamsServiceClientConfiguration serviceClientConfiguration() {
        return delegate.serviceClientConfiguration();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
