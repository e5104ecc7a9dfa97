package io.projector.runner.bench;

import java.util.List;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Reads a stream from its trim horizon with plain GetRecords (1,000 records a call), the way a
 * hand-written consumer does, without the KCL. Shards are read in the order DescribeStream lists
 * them (parents before children on DynamoDB Local, which keeps one open shard per table); an open
 * shard is left at its first empty answer.
 */
final class StreamReader {

    private final DynamoDbStreamsClient streams;

    StreamReader(DynamoDbStreamsClient streams) {
        this.streams = streams;
    }

    /** Hands every batch to {@code batches} until {@code max} records were read or the stream has no more. */
    long read(String streamArn, long max, Consumer<List<Record>> batches) {
        long read = 0;
        List<Shard> shards = streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards();
        for (Shard shard : shards) {
            String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (iterator != null && read < max) {
                String current = iterator;
                GetRecordsResponse response = streams.getRecords(b -> b.shardIterator(current).limit(1000));
                List<Record> records = response.records();
                if (records.isEmpty()) {
                    break;
                }
                if (read + records.size() > max) {
                    records = records.subList(0, (int) (max - read));
                }
                read += records.size();
                batches.accept(records);
                iterator = response.nextShardIterator();
            }
        }
        return read;
    }
}
