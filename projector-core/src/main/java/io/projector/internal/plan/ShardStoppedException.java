package io.projector.internal.plan;

/** The shard's processing was asked to stop (shutdown, lease lost) before the work in hand was committed. */
public class ShardStoppedException extends RuntimeException {
    public ShardStoppedException(String shardId) {
        this(shardId, "stopped");
    }

    /** @param how what stopped it, e.g. "interrupted inside projection 'x'" */
    public ShardStoppedException(String shardId, String how) {
        super("processing of shard " + shardId + " " + how + " before its work was committed; it will be redone by the next owner");
    }
}
