package io.projector.internal.commit;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.projector.worker.ProjectorConfig;
import java.util.concurrent.ThreadLocalRandom;

/** The retry of read-model calls: exponential backoff with full jitter, transient failures only (conflicts aside). */
public final class RetryPolicy {

    private RetryPolicy() {
    }

    public static Retry create(String name, ProjectorConfig config) {
        long initial = config.retryInitialBackoff().toMillis();
        long max = config.retryMaxBackoff().toMillis();
        IntervalFunction fullJitter = attempt -> {
            long ceiling = (long) Math.min(max, initial * Math.pow(2, Math.max(0, attempt - 1)));
            return ThreadLocalRandom.current().nextLong(Math.max(1, ceiling) + 1);
        };
        return Retry.of(name, RetryConfig.custom()
                .maxAttempts(config.retryAttempts())
                .intervalFunction(fullJitter)
                // Conflicts go back to the shard, which backs off on its own and commits a smaller chunk.
                .retryOnException(e -> TransientErrors.isTransient(e) && !TransientErrors.isConflict(e))
                .failAfterMaxAttempts(false)
                .build());
    }
}
