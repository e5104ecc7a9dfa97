package io.projector.internal.kcl;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Which shards this worker is processing now, and which it halted and why. */
public final class ShardRegistry {

    private final Map<String, Boolean> active = new ConcurrentHashMap<>();
    private final Map<String, String> halted = new ConcurrentHashMap<>();
    private volatile boolean anyStarted;

    void started(String shardId) {
        active.put(shardId, Boolean.TRUE);
        anyStarted = true;
    }

    void stopped(String shardId) {
        active.remove(shardId);
    }

    void halted(String shardId, String reason) {
        halted.put(shardId, reason);
    }

    /** Whether this worker has taken and initialized at least one shard since it started. */
    public boolean anyStarted() {
        return anyStarted;
    }

    public int activeShards() {
        return active.size();
    }

    public Map<String, String> haltedShards() {
        return Map.copyOf(halted);
    }
}
