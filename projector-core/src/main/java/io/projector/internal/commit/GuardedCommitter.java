package io.projector.internal.commit;

import io.projector.ItemKey;
import io.projector.internal.guard.GuardedPacks;
import io.projector.internal.guard.GuardedRequests;
import io.projector.internal.guard.GuardedSender;
import io.projector.internal.guard.GuardedWindow;
import io.projector.internal.guard.GuardedWrite;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ParkedChange;
import io.projector.internal.plan.SequencedWrite;
import io.projector.internal.plan.TransactionLimits;
import io.projector.internal.plan.WatermarkAdvance;
import io.projector.internal.store.DeadLetterStore;
import io.projector.internal.store.WatermarkStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Commits a guarded window without a transaction: one request per read-model item, each guarded
 * by its own condition ({@link GuardedWrite}) and sent with others in flight; then the window's
 * parked changes, each one conditional put; then, only when all of that is resolved, the watermark
 * of each projection that wrote, as a progress mark that never goes back. A crash anywhere leaves
 * the watermark behind what landed, and the window sent again changes nothing twice; a window sent
 * by a stale owner of the shard is refused item by item.
 *
 * <p>Packed ({@code packed}), the same conditional writes travel in transactions of up to 100
 * ({@link GuardedPacks}), for a store bound by requests rather than items (DynamoDB Local); a pack
 * refused by a condition is sent again one write at a time. A window that fits one transaction goes
 * as one with its progress marks, and the marks of a longer one go in one. A transaction returns no item per
 * action, so a packed counter update learns nothing of the markers its item holds; it removes
 * instead, blind, the markers of finished shards it may hold (a REMOVE of an absent attribute is no
 * error): all of them while they are few, as on DynamoDB Local, else a random {@value #BLIND_PRUNE}
 * per update, which still empties a counter of them over its next updates. Packed is not for AWS,
 * where a transaction bills twice the write units.
 */
public final class GuardedCommitter {

    private final DynamoDbClient dynamo;
    private final WatermarkStore watermarks;
    private final DeadLetterStore deadLetters;
    private final Clock clock;
    private final GuardedSender sender;
    private final GuardedRequests requests;
    private final boolean packed;
    /**
     * Each request's own retry of transient failures (throttling, 500s, a lost response), before its
     * failure fails the window: a window of hundreds of requests retried whole only when every one
     * of them got through at once would not progress at a failure rate that a transaction (one
     * request) rides out. A retried request is safe: its guard refuses it if it had landed.
     */
    private final io.github.resilience4j.retry.Retry requestRetry;
    private final ExecutorService pool;
    private final int inFlight;
    private final TombstoneSweep sweep;
    private final LongAdder refused;
    private final long maxWindowAgeMillis;
    /** When each window in flight was first sent: a window retried whole keeps its age across attempts. */
    private final Map<Chunk, Long> firstSent = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    /** Null: markers are never pruned. */
    private final FinishedShards finished;
    /**
     * Per counter item lately updated, the other shards whose markers it held: its next update removes
     * those of them that are finished, in the same request. Bounded; an item evicted is learnt again.
     */
    private final Map<ItemKey, Set<String>> heldMarkers = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<ItemKey, Set<String>> eldest) {
                    return size() > HELD_MARKERS_ITEMS;
                }
            });
    private static final int HELD_MARKERS_ITEMS = 10_000;
    /** Packed: how many markers of finished shards one counter update removes without knowing its item holds them. */
    static final int BLIND_PRUNE = 16;

    /**
     * @param pool     runs the requests of a window beside the shard's own thread; shared by the worker's shards
     * @param inFlight how many requests of one window are in flight at once
     * @param packed   whether the writes travel packed into transactions, or one request each
     */
    public GuardedCommitter(DynamoDbClient dynamo, String table, WatermarkStore watermarks, DeadLetterStore deadLetters, Clock clock,
                            java.util.function.DoubleConsumer consumedWriteUnits, LongAdder refused, ExecutorService pool, int inFlight,
                            TombstoneSweep sweep, FinishedShards finished, java.time.Duration maxWindowAge, boolean packed,
                            io.github.resilience4j.retry.Retry requestRetry) {
        if (inFlight < 1) {
            throw new IllegalArgumentException("in-flight requests must be at least 1, was " + inFlight);
        }
        this.dynamo = dynamo;
        this.watermarks = watermarks;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.sender = new GuardedSender(dynamo, table, clock, consumedWriteUnits, finished == null ? null : this::heldMarkers);
        this.requests = new GuardedRequests(table);
        this.packed = packed;
        this.requestRetry = requestRetry;
        this.finished = finished;
        this.pool = pool;
        this.inFlight = inFlight;
        this.sweep = sweep;
        this.refused = refused;
        this.maxWindowAgeMillis = maxWindowAge.toMillis();
    }

    public ChunkCommitter.Outcome commit(String shardId, Chunk chunk) {
        if (!chunk.guarded()) {
            throw new IllegalArgumentException("not a guarded window: a chunk of " + chunk.events().size() + " changes planned for a transaction");
        }
        sweep.run(clock.millis());
        long sentSince = firstSent.computeIfAbsent(chunk, c -> clock.millis());
        Pruning prunable = pruning(shardId, chunk, finished == null ? Set.of() : finished.prunable());
        GuardedWindow window = new GuardedWindow(shardId);
        for (SequencedWrite w : chunk.writes()) {
            window.add(w.sequence().toString(), w.write());
        }
        // Copies first, counters only once every copy landed: a change whose copy DynamoDB refuses (too large, a
        // wrong index key type) is parked whole, and none of its increments are in the read model for a
        // re-drive to apply a second time.
        List<GuardedWrite> writes = window.writes();
        List<GuardedWrite> copies = writes.stream().filter(w -> w instanceof GuardedWrite.Copy).toList();
        List<GuardedWrite> counters = writes.stream().filter(w -> w instanceof GuardedWrite.Counter).toList();
        long lastEvent = chunk.lastEvent().approximateCreationTime().toEpochMilli();
        List<WatermarkAdvance> advances = List.copyOf(chunk.watermarks().values());
        if (packed && chunk.parked().isEmpty() && writes.size() + advances.size() > 1
                && fitsOnePack(writes, advances) && sendWhole(shardId, concat(copies, counters), advances, prunable, sentSince, lastEvent)) {
            return ChunkCommitter.Outcome.COMMITTED;
        }
        send(copies, prunable, sentSince);
        send(counters, prunable, sentSince);
        long now = clock.millis();
        for (ParkedChange c : chunk.parked()) {
            park(shardId, c, now);
        }
        if (packed && advances.size() > 1 && advances.size() <= TransactionLimits.DYNAMODB.maxActions()
                && sendWhole(shardId, List.of(), advances, prunable, sentSince, lastEvent)) {
            return ChunkCommitter.Outcome.COMMITTED;
        }
        boolean behind = false;
        for (WatermarkAdvance w : advances) {
            behind |= !retried(() -> watermarks.progress(shardId, w, lastEvent, now));
        }
        return behind ? ChunkCommitter.Outcome.ALREADY_APPLIED : ChunkCommitter.Outcome.COMMITTED;
    }

    /**
     * Packed: a window and its progress marks as one transaction, where it fits one (at a stream's tip,
     * a window is a few changes): one request where there would be one per phase (copies, counters,
     * each projection's mark), the lag of a tip. All or nothing, so a refused copy leaves none of its
     * change's increments either, as copies-before-counters does. With no writes, the marks alone. A
     * transaction refused by a condition (some item or mark already holds it) changed nothing: false,
     * and the caller sends the window the longer way, which judges each write and mark on its own.
     */
    private boolean sendWhole(String shardId, List<GuardedWrite> writes, List<WatermarkAdvance> advances, Pruning prunable,
                              long sentSince, long lastEvent) {
        checkAge(sentSince);
        long now = clock.millis();
        List<TransactWriteItem> marks = advances.stream()
                .map(w -> TransactWriteItem.builder().update(watermarks.progressAction(shardId, w, lastEvent, now)).build()).toList();
        try {
            Map<ItemKey, Set<String>> pruning = packedPruning(writes, prunable);
            retried(() -> {
                sender.sendWhole(writes, pruning, marks);
                return null;
            });
        } catch (TransactionCanceledException e) {
            if (TransientErrors.isConditionFailure(e)) {
                return false;
            }
            throw e;
        }
        writes.forEach(w -> landed(w, new GuardedSender.Sent(1, 0)));
        return true;
    }

    /** Whether a window's writes and its marks fit one transaction: at most 100 actions, under the byte budget. */
    private boolean fitsOnePack(List<GuardedWrite> writes, List<WatermarkAdvance> advances) {
        TransactionLimits limits = TransactionLimits.DYNAMODB;
        if (writes.size() + advances.size() > limits.maxActions()) {
            return false;
        }
        long bytes = 0;
        for (GuardedWrite w : writes) {
            bytes += requests.bytes(w);
        }
        // A progress mark is a few hundred bytes.
        return bytes + advances.size() * 1_024L <= limits.maxBytes();
    }

    private static List<GuardedWrite> concat(List<GuardedWrite> a, List<GuardedWrite> b) {
        List<GuardedWrite> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** Removes the tombstones whose grace has passed; a shard calls it when idle, so a quiet stream sweeps too. */
    public void sweep(long nowMillis) {
        sweep.run(nowMillis);
    }

    /**
     * A parked change's letter, unless one is there: a resent window must not reset the attempts and
     * failure an operator's re-drive recorded on it.
     */
    private void park(String shardId, ParkedChange c, long now) {
        var put = deadLetters.put(shardId, c, now);
        try {
            retried(() -> dynamo.putItem(PutItemRequest.builder().tableName(put.tableName()).item(put.item())
                    .conditionExpression("attribute_not_exists(PK)").build()));
        } catch (ConditionalCheckFailedException e) {
            // Already parked by an earlier send of this window.
        }
    }

    private void send(List<GuardedWrite> writes, Pruning prunable, long sentSince) {
        List<Runnable> requests = packed
                ? GuardedPacks.cut(writes, TransactionLimits.DYNAMODB, this.requests::bytes).stream()
                        .map(pack -> (Runnable) () -> sendPack(pack, prunable, sentSince)).toList()
                : writes.stream().map(w -> (Runnable) () -> sendOne(w, prunable, sentSince)).toList();
        if (requests.size() <= 1 || inFlight == 1) {
            requests.forEach(Runnable::run);
            return;
        }
        Semaphore slots = new Semaphore(inFlight);
        List<Future<?>> sent = new ArrayList<>(requests.size());
        try {
            java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
            for (Runnable request : requests) {
                slots.acquire();
                if (failed.get()) {
                    // A write failed: the rest is not sent, and the window is isolated or retried whole.
                    slots.release();
                    break;
                }
                sent.add(pool.submit(() -> {
                    try {
                        request.run();
                    } catch (RuntimeException e) {
                        failed.set(true);
                        throw e;
                    } finally {
                        slots.release();
                    }
                }));
            }
            // Every request is resolved before the caller moves on or retries: none is left racing a resend.
            RuntimeException failure = null;
            for (Future<?> f : sent) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                    if (failure == null) {
                        failure = cause;
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        } catch (InterruptedException e) {
            sent.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new CancellationException("the shard stopped while its window was being sent");
        }
    }

    /** A counter update applied over this item: remember the other shards' markers it held. */
    private void heldMarkers(ItemKey key, Map<String, AttributeValue> before) {
        Set<String> shards = GuardedRequests.markerShards(before);
        if (!shards.isEmpty()) {
            heldMarkers.put(key, shards);
        }
    }

    private void sendOne(GuardedWrite w, Pruning prunable, long sentSince) {
        checkAge(sentSince);
        landed(w, retried(() -> sender.send(w, prunable.known(w))));
    }

    private <T> T retried(java.util.function.Supplier<T> request) {
        return requestRetry.executeSupplier(request);
    }

    /**
     * One pack of distinct items as one transaction; refused by a condition, its writes one by one.
     * A pack of one goes as a single request: no cheaper in a transaction, and its answer tells the
     * markers its item holds.
     */
    private void sendPack(List<GuardedWrite> pack, Pruning prunable, long sentSince) {
        if (pack.size() == 1) {
            sendOne(pack.get(0), prunable, sentSince);
            return;
        }
        checkAge(sentSince);
        Map<ItemKey, Set<String>> pruning = packedPruning(pack, prunable);
        List<GuardedSender.Sent> results = retried(() -> sender.send(pack, pruning, TransientErrors::isConditionFailure));
        for (int i = 0; i < pack.size(); i++) {
            landed(pack.get(i), results.get(i));
        }
    }

    /** Per counter of a pack, the markers of finished shards its update removes: those its item was seen to hold, and blind ones. */
    private static Map<ItemKey, Set<String>> packedPruning(List<GuardedWrite> pack, Pruning prunable) {
        Map<ItemKey, Set<String>> pruned = new HashMap<>();
        for (GuardedWrite w : pack) {
            if (w instanceof GuardedWrite.Counter counter && !prunable.finished().isEmpty()) {
                Set<String> shards = new HashSet<>(prunable.known(w));
                shards.addAll(blind(prunable.finished()));
                shards.remove(counter.shardId());
                pruned.put(w.key(), shards);
            }
        }
        return pruned;
    }

    private void checkAge(long sentSince) {
        long age = clock.millis() - sentSince;
        if (age > maxWindowAgeMillis) {
            throw new StaleWindowException("a window has been sent for " + age + " ms, more than half the tombstone grace ("
                    + maxWindowAgeMillis + " ms): planning it again from the stored watermarks");
        }
    }

    /**
     * A window's pruning: the finished shards, and per counter item the markers of them it held when
     * last updated. Those are taken from {@link #heldMarkers} once per window, so a window sent a second
     * way (a whole-window transaction refused, then pack by pack or one by one) still prunes them.
     */
    private record Pruning(Set<String> finished, Map<ItemKey, Set<String>> held) {

        Set<String> known(GuardedWrite w) {
            return held.getOrDefault(w.key(), Set.of());
        }
    }

    private Pruning pruning(String shardId, Chunk chunk, Set<String> finishedShards) {
        Map<ItemKey, Set<String>> known = new HashMap<>();
        if (!finishedShards.isEmpty()) {
            for (SequencedWrite sw : chunk.writes()) {
                ItemKey key = sw.write().key();
                Set<String> held = known.containsKey(key) ? null : heldMarkers.remove(key);
                if (held != null) {
                    Set<String> pruned = new HashSet<>(held);
                    pruned.retainAll(finishedShards);
                    pruned.remove(shardId);
                    known.put(key, pruned);
                }
            }
        }
        return new Pruning(finishedShards, known);
    }

    /** The finished shards a packed counter update removes without knowing its item holds them: all, or a random few. */
    private static Set<String> blind(Set<String> prunable) {
        if (prunable.size() <= BLIND_PRUNE) {
            return prunable;
        }
        List<String> shards = new ArrayList<>(prunable);
        java.util.Collections.shuffle(shards, java.util.concurrent.ThreadLocalRandom.current());
        return new HashSet<>(shards.subList(0, BLIND_PRUNE));
    }

    /** A write resolved: its refusals counted, and a tombstone it wrote handed to the sweep. */
    private void landed(GuardedWrite w, GuardedSender.Sent result) {
        refused.add(result.refused());
        // A refused tombstone is handed to the sweep too: refused, the item may hold this very tombstone, written by a
        // send whose answer was lost; the sweep's delete is conditioned on the position, so one that is not there does nothing.
        if (w instanceof GuardedWrite.Copy copy && copy.isTombstone()) {
            sweep.written(copy.key(), copy.position(), clock.millis());
        }
    }
}
