package io.projector.internal;

/** The shard's processing was asked to stop (shutdown, lease lost) before the work in hand was committed. */
public class ShardStoppedException extends RuntimeException {
    public ShardStoppedException(String shardId) {
        super("processing of shard " + shardId + " stopped before its work was committed; it will be redone by the next owner");
    }
}
