package io.projector.internal.shard;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.projector.internal.commit.ConflictBackoff;
import io.projector.internal.commit.TransientErrors;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ShardStoppedException;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shard's calls to the read-model table: through the retry and the breaker, round after round
 * while they fail transiently, waiting out an open breaker, backing this shard alone off a
 * transaction conflict; a stop ends the wait with {@link ShardStoppedException}.
 */
final class ReadModelCalls {

    /** The shard's own logger: operators set its level, and tests read it. */
    private static final Logger log = LoggerFactory.getLogger(ShardProjector.class);
    /** The wait between rounds when the table refuses every call (access denied, missing table). */
    private static final long ENVIRONMENT_PAUSE_MILLIS = 5_000;

    private final String shardId;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final EngineCounters counters;
    private final BooleanSupplier stopRequested;
    private final ConflictBackoff conflicts = new ConflictBackoff(new SplittableRandom());

    ReadModelCalls(String shardId, Retry retry, CircuitBreaker breaker, EngineCounters counters, BooleanSupplier stopRequested) {
        this.shardId = shardId;
        this.retry = retry;
        this.breaker = breaker;
        this.counters = counters;
        this.stopRequested = stopRequested;
    }

    /** Runs a read-model call with retries until it succeeds; a conflict makes the shard back off and call again. */
    <T> T retrying(String what, Supplier<T> action) {
        while (true) {
            try {
                return attempt(what, action);
            } catch (RuntimeException e) {
                if (!TransientErrors.isConflict(e)) {
                    throw e;
                }
                counters.conflicts.increment();
                backOff();
            }
        }
    }

    /**
     * Runs a read-model call through the retry and the breaker, round after round while it fails
     * transiently; a transaction conflict is thrown to the caller (which may commit less at once).
     */
    <T> T attempt(String what, Supplier<T> action) {
        while (true) {
            if (stopRequested.getAsBoolean()) {
                throw new ShardStoppedException(shardId);
            }
            try {
                return retry.executeSupplier(CircuitBreaker.decorateSupplier(breaker, action));
            } catch (CallNotPermittedException e) {
                awaitBreaker();
                continue;
            } catch (RuntimeException e) {
                if (stopRequested.getAsBoolean()) {
                    // The stop interrupted the call (the SDK then throws AbortedException): not a failure
                    // of the table, and the batch is not retried.
                    throw new ShardStoppedException(shardId);
                }
                if (TransientErrors.isConflict(e)) {
                    throw e;
                }
                if (TransientErrors.isTransient(e)) {
                    counters.transientFailures.increment();
                    log.warn("shard {}: {} still failing after {} attempts ({}); the shard waits and tries again",
                            shardId, what, retry.getRetryConfig().getMaxAttempts(), e.toString());
                } else if (TransientErrors.isEnvironmentFailure(e)) {
                    // Access denied, a missing table: no record is to blame, so none is parked; the shard waits for the fix.
                    counters.transientFailures.increment();
                    log.error("shard {}: {} failed: {}. Nothing is skipped: the shard retries every {} ms until this is fixed",
                            shardId, what, e.getMessage(), ENVIRONMENT_PAUSE_MILLIS);
                    pause();
                } else {
                    throw e;
                }
            }
        }
    }

    /** A commit met a conflict on a shared item: count it, say so now and then, and back off this shard alone. */
    void conflicted(Chunk chunk, RuntimeException e) {
        counters.conflicts.increment();
        if (conflicts.inARow() > 0 && conflicts.inARow() % 20 == 0) {
            log.warn("shard {}: {} commits in a row met a transaction conflict (another shard or writer holds an item of the chunk "
                    + "up to {}); backing off and committing fewer changes at once", shardId, conflicts.inARow(), chunk.lastEvent().sequenceNumber());
        } else {
            log.debug("shard {}: commit of {} changes met a conflict: {}", shardId, chunk.events().size(), e.getMessage());
        }
        backOff();
    }

    /** A commit went through: the next conflict starts the backoff afresh. */
    void committed() {
        conflicts.reset();
    }

    /** While the breaker is open the shard does not call the table, and so does not advance. */
    private void awaitBreaker() {
        counters.breakerWaits.increment();
        while (breaker.getState() == CircuitBreaker.State.OPEN && !stopRequested.getAsBoolean()) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ShardStoppedException(shardId);
            }
        }
    }

    private void backOff() {
        try {
            conflicts.pause(stopRequested);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new ShardStoppedException(shardId);
        }
        if (stopRequested.getAsBoolean()) {
            throw new ShardStoppedException(shardId);
        }
    }

    private void pause() {
        try {
            Thread.sleep(ENVIRONMENT_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ShardStoppedException(shardId);
        }
    }
}
