package io.projector.internal.kcl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which shards this worker is processing now, which it halted and why, which batch each is in the
 * middle of, and whether the worker is stopping. The stop flag lives here and not in the KCL's
 * shutdown callback because the KCL calls a processor's callbacks one at a time: a processor stuck
 * in a batch would never hear of the stop.
 */
public final class ShardRegistry {

    /** A batch in flight: the thread processing it and when it began. */
    private record Batch(Thread thread, long startedAtMillis) {
    }

    private final Map<String, Boolean> active = new ConcurrentHashMap<>();
    private final Map<String, String> halted = new ConcurrentHashMap<>();
    private final Map<String, Batch> batches = new ConcurrentHashMap<>();
    private volatile boolean anyStarted;
    private volatile boolean stopRequested;

    void started(String shardId) {
        active.put(shardId, Boolean.TRUE);
        anyStarted = true;
    }

    void stopped(String shardId) {
        active.remove(shardId);
        batches.remove(shardId);
    }

    void halted(String shardId, String reason) {
        halted.put(shardId, reason);
    }

    /** The calling thread starts a batch of the shard. */
    synchronized void batchStarted(String shardId, long nowMillis) {
        batches.put(shardId, new Batch(Thread.currentThread(), nowMillis));
    }

    /** Under the same lock as {@link #requestStop()}: once this returns, the thread is not interrupted for the stop. */
    synchronized void batchEnded(String shardId) {
        batches.remove(shardId);
    }

    /**
     * Every shard gives up its batch: the flag is read between read-model calls, and the interrupt
     * cuts short a retry's backoff or an SDK call's, so a batch in a retry storm ends within moments.
     */
    public synchronized void requestStop() {
        stopRequested = true;
        batches.values().forEach(b -> b.thread().interrupt());
    }

    public boolean stopRequested() {
        return stopRequested;
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

    /** The shards whose batch has run for at least {@code thresholdMillis}, each with how long, longest first. */
    public Map<String, Long> stuckShards(long nowMillis, long thresholdMillis) {
        Map<String, Long> out = new LinkedHashMap<>();
        batches.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), nowMillis - e.getValue().startedAtMillis()))
                .filter(e -> e.getValue() >= thresholdMillis)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
