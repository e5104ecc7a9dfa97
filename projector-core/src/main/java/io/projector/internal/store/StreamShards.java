package io.projector.internal.store;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/** The shards of a table's stream: those still open (written to now), or all it lists (closed ones for 24 h). */
public final class StreamShards {

    private StreamShards() {
    }

    public static List<String> open(DynamoDbStreamsClient streams, String streamArn) {
        return list(streams, streamArn, true);
    }

    public static List<String> all(DynamoDbStreamsClient streams, String streamArn) {
        return list(streams, streamArn, false);
    }

    private static List<String> list(DynamoDbStreamsClient streams, String streamArn, boolean openOnly) {
        List<String> out = new ArrayList<>();
        String from = null;
        do {
            String start = from;
            var d = streams.describeStream(b -> b.streamArn(streamArn).exclusiveStartShardId(start)).streamDescription();
            for (Shard s : d.shards()) {
                if (!openOnly || s.sequenceNumberRange() == null || s.sequenceNumberRange().endingSequenceNumber() == null) {
                    out.add(s.shardId());
                }
            }
            from = d.lastEvaluatedShardId();
        } while (from != null);
        return out;
    }
}
