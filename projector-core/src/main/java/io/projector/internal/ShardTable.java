package io.projector.internal;

import io.projector.SequenceNumber;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * What a {@link ShardProjector} reads and writes in the read-model table: watermarks, the items
 * with parked changes, and commits. DynamoDB in the worker ({@link #of}); kept behind this seam so
 * that property tests can run two processors of one shard against a table held in memory.
 */
public interface ShardTable {

    /** Consistent read of these projections' watermarks on the shard (absent: none). */
    Map<String, SequenceNumber> watermarks(String shardId, List<String> projections);

    /** Consistent read of the (projection, source item) pairs with a parked change, as {@link ParkingLot#blockKey}. */
    Set<String> blockedItems();

    ChunkCommitter.Outcome commit(String shardId, Chunk chunk);

    void parkUndecodable(String shardId, Record record, String reason, long nowMillis);

    static ShardTable of(ChunkCommitter committer, WatermarkStore watermarks, DeadLetterStore deadLetters) {
        return new ShardTable() {
            @Override
            public Map<String, SequenceNumber> watermarks(String shardId, List<String> projections) {
                return watermarks.load(shardId, projections);
            }

            @Override
            public Set<String> blockedItems() {
                return deadLetters.blockedItems();
            }

            @Override
            public ChunkCommitter.Outcome commit(String shardId, Chunk chunk) {
                return committer.commit(shardId, chunk);
            }

            @Override
            public void parkUndecodable(String shardId, Record record, String reason, long nowMillis) {
                deadLetters.parkUndecodable(shardId, record, reason, nowMillis);
            }
        };
    }
}
