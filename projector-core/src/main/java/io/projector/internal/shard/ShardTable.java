package io.projector.internal.shard;

import io.projector.SequenceNumber;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.commit.GuardedCommitter;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ParkingLot;
import io.projector.internal.store.DeadLetterStore;
import io.projector.internal.store.WatermarkStore;
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

    /**
     * The (projection, source item) pairs with a parked change, as {@link ParkingLot#blockKey}: a view
     * read at most {@code maxAgeMillis} ago (0: read now, consistently).
     */
    Set<String> blockedItems(long maxAgeMillis, long nowMillis);

    /** This worker parked a change: views of the parked items read before now may lack it. */
    default void parked() {
    }

    /** Moves a projection's watermark on the shard forward to {@code to}, never back; false if it stood there or beyond. */
    boolean catchUp(String shardId, String projection, SequenceNumber to, long nowMillis);

    ChunkCommitter.Outcome commit(String shardId, Chunk chunk);

    void parkUndecodable(String shardId, Record record, String reason, long nowMillis);

    /** Removes the tombstones of guarded deletes whose grace has passed (nothing without guarded commits). */
    default void sweep(long nowMillis) {
    }

    static ShardTable of(ChunkCommitter committer, WatermarkStore watermarks, DeadLetterStore deadLetters) {
        return of(committer, null, watermarks, deadLetters);
    }

    /** @param guarded commits the guarded windows (null: the planner plans none) */
    static ShardTable of(ChunkCommitter committer, GuardedCommitter guarded, WatermarkStore watermarks, DeadLetterStore deadLetters) {
        return new ShardTable() {
            @Override
            public Map<String, SequenceNumber> watermarks(String shardId, List<String> projections) {
                return watermarks.load(shardId, projections);
            }

            @Override
            public Set<String> blockedItems(long maxAgeMillis, long nowMillis) {
                return deadLetters.blockedItems(maxAgeMillis, nowMillis);
            }

            @Override
            public void parked() {
                deadLetters.parked();
            }

            @Override
            public boolean catchUp(String shardId, String projection, SequenceNumber to, long nowMillis) {
                return watermarks.catchUp(shardId, projection, to, nowMillis);
            }

            @Override
            public ChunkCommitter.Outcome commit(String shardId, Chunk chunk) {
                if (chunk.guarded()) {
                    if (guarded == null) {
                        throw new IllegalStateException("a guarded window was planned for shard " + shardId + " without a guarded committer");
                    }
                    return guarded.commit(shardId, chunk);
                }
                return committer.commit(shardId, chunk);
            }

            @Override
            public void sweep(long nowMillis) {
                if (guarded != null) {
                    guarded.sweep(nowMillis);
                }
            }

            @Override
            public void parkUndecodable(String shardId, Record record, String reason, long nowMillis) {
                deadLetters.parkUndecodable(shardId, record, reason, nowMillis);
            }
        };
    }
}
