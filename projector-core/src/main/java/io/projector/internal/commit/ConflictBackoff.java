package io.projector.internal.commit;

import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * One shard's backoff after transaction conflicts: full jitter over a ceiling that doubles with
 * each conflict in a row (from {@value #BASE_MILLIS} ms to {@value #MAX_MILLIS} ms) and falls back
 * once a commit goes through. Shards that collide on a hot item draw different pauses, so the next
 * attempts spread out instead of colliding again; other shards and the breaker are not involved.
 */
public final class ConflictBackoff {

    static final long BASE_MILLIS = 10;
    static final long MAX_MILLIS = 1_000;

    private final RandomGenerator random;
    private int inARow;

    public ConflictBackoff(RandomGenerator random) {
        this.random = random;
    }

    /** The pause before the next attempt, after one more conflict. */
    public long nextDelayMillis() {
        long ceiling = Math.min(MAX_MILLIS, BASE_MILLIS << Math.min(inARow, 20));
        inARow++;
        return random.nextLong(ceiling + 1);
    }

    /** Conflicts in a row so far. */
    public int inARow() {
        return inARow;
    }

    /** A commit went through: the next conflict starts from the smallest pause again. */
    public void reset() {
        inARow = 0;
    }

    /** Sleeps the next pause in slices, giving up early when {@code stop} turns true. */
    public void pause(java.util.function.BooleanSupplier stop) throws InterruptedException {
        long until = System.nanoTime() / 1_000_000 + nextDelayMillis();
        LongSupplier left = () -> until - System.nanoTime() / 1_000_000;
        while (left.getAsLong() > 0 && !stop.getAsBoolean()) {
            Thread.sleep(Math.min(50, left.getAsLong()));
        }
    }
}
