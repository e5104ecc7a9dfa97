package io.projector.internal;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/** The shards of a table's stream that are still open (written to now). */
public final class StreamShards {

    private StreamShards() {
    }

    public static List<String> open(DynamoDbStreamsClient streams, String streamArn) {
        List<String> out = new ArrayList<>();
        String from = null;
        do {
            String start = from;
            var d = streams.describeStream(b -> b.streamArn(streamArn).exclusiveStartShardId(start)).streamDescription();
            for (Shard s : d.shards()) {
                if (s.sequenceNumberRange() == null || s.sequenceNumberRange().endingSequenceNumber() == null) {
                    out.add(s.shardId());
                }
            }
            from = d.lastEvaluatedShardId();
        } while (from != null);
        return out;
    }
}
