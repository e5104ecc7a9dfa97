package io.projector.internal.commit;

import io.projector.ItemKey;
import io.projector.internal.guard.GuardedRequests;
import io.projector.internal.guard.StreamPosition;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.DoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * The tombstones this worker wrote, removed once {@code grace} has passed: by then no owner of the
 * shard that wrote them, however stale, is expected to send an older put of the item, which a
 * tombstone refuses and an absent item would take. A tombstone left when the worker stops is
 * removed by the table's time to live. Shared by the worker's shards.
 */
public final class TombstoneSweep {

    private static final Logger log = LoggerFactory.getLogger(TombstoneSweep.class);
    /** Deletes per call: a sweep never holds a shard's commit up for long. */
    private static final int MAX_PER_RUN = 200;

    private record Tombstone(ItemKey key, StreamPosition position, long writtenAtMillis) {
    }

    private final DynamoDbClient dynamo;
    private final GuardedRequests requests;
    private final long graceMillis;
    private final DoubleConsumer consumedWriteUnits;
    private final Deque<Tombstone> pending = new ArrayDeque<>();

    public TombstoneSweep(DynamoDbClient dynamo, String table, Duration grace, DoubleConsumer consumedWriteUnits) {
        this.dynamo = dynamo;
        this.requests = new GuardedRequests(table);
        this.graceMillis = grace.toMillis();
        this.consumedWriteUnits = consumedWriteUnits;
    }

    synchronized void written(ItemKey key, StreamPosition position, long nowMillis) {
        pending.addLast(new Tombstone(key, position, nowMillis));
    }

    /** How many tombstones wait for their grace to pass. */
    public synchronized int pending() {
        return pending.size();
    }

    /**
     * Removes the tombstones whose grace has passed (up to a bound); a failure leaves the rest for
     * the next run, and a tombstone a later put replaced is left to that put.
     */
    public void run(long nowMillis) {
        List<Tombstone> due = new ArrayList<>();
        synchronized (this) {
            while (!pending.isEmpty() && due.size() < MAX_PER_RUN && nowMillis - pending.peekFirst().writtenAtMillis() >= graceMillis) {
                due.add(pending.pollFirst());
            }
        }
        for (int i = 0; i < due.size(); i++) {
            Tombstone t = due.get(i);
            try {
                var response = dynamo.deleteItem(requests.sweep(t.key(), t.position()).toBuilder()
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build());
                if (response.consumedCapacity() != null && response.consumedCapacity().capacityUnits() != null) {
                    consumedWriteUnits.accept(response.consumedCapacity().capacityUnits());
                }
            } catch (ConditionalCheckFailedException e) {
                consumedWriteUnits.accept(1);
            } catch (RuntimeException e) {
                log.warn("sweeping the tombstone of {} failed ({}); trying again later", t.key(), e.toString());
                synchronized (this) {
                    for (int j = due.size() - 1; j >= i; j--) {
                        pending.addFirst(due.get(j));
                    }
                }
                return;
            }
        }
    }
}
