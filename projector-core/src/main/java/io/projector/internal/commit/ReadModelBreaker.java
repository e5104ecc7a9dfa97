package io.projector.internal.commit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.projector.worker.ProjectorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breaker on read-model calls, shared by the shards of a worker: when most recent calls
 * fail transiently it opens, the shards stop calling the table (and so stop advancing) until it lets
 * a few probes through, and it closes by itself once they succeed. Each state change is logged once.
 * Transaction conflicts are left out: the shard that met one backs off by itself.
 */
public final class ReadModelBreaker {

    private static final Logger log = LoggerFactory.getLogger(ReadModelBreaker.class);

    private ReadModelBreaker() {
    }

    public static CircuitBreaker create(ProjectorConfig config) {
        CircuitBreaker breaker = CircuitBreaker.of("read-model", CircuitBreakerConfig.custom()
                .failureRateThreshold(config.breakerFailureRate())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .permittedNumberOfCallsInHalfOpenState(3)
                .waitDurationInOpenState(config.breakerOpenDuration())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // A conflict is contention on one hot item, not an outage: counting it would let one
                // busy counter stop every shard of the worker. Ignored: neither failure nor success.
                .recordException(e -> TransientErrors.isTransient(e) && !TransientErrors.isConflict(e))
                .ignoreException(TransientErrors::isConflict)
                .build());
        breaker.getEventPublisher().onStateTransition(e -> {
            CircuitBreaker.StateTransition t = e.getStateTransition();
            if (t.getToState() == CircuitBreaker.State.OPEN) {
                log.warn("read-model circuit breaker OPEN: most recent calls to {} failed; shards pause for {} ms, then probe",
                        config.readModelTable(), config.breakerOpenDuration().toMillis());
            } else {
                log.info("read-model circuit breaker {} -> {}", t.getFromState(), t.getToState());
            }
        });
        return breaker;
    }
}
