package io.projector.worker;

import java.util.Map;

/**
 * Totals of one worker since it started.
 *
 * @param eventsSeen               stream records handed to the engine (redeliveries included)
 * @param chunksCommitted          transactions committed
 * @param itemWrites               read-model items written by those transactions
 * @param watermarkWrites          watermark items written by those transactions
 * @param consumedWriteUnits       write capacity units DynamoDB reported for those transactions
 * @param chunksAlreadyApplied     commits skipped because their records were already applied
 * @param transientFailures        rounds of retries that ran out and started again
 * @param parked                   changes put into the dead-letter store
 * @param breakerState             the read-model circuit breaker: CLOSED, OPEN or HALF_OPEN
 * @param breakerWaits             times a shard waited for the open breaker
 * @param lastCommittedEventMillis creation time of the newest change committed (epoch millis; 0 before any)
 * @param activeShards             shards this worker processes now
 * @param haltedShards             shards halted on a record that cannot be projected, with the reason
 * @param uptimeMillis             time since the worker was created
 * @param stuckShards              shards whose batch has run longer than the stuck batch time, with how long (ms), longest first
 */
public record ProjectorStats(
        long eventsSeen,
        long chunksCommitted,
        long itemWrites,
        long watermarkWrites,
        double consumedWriteUnits,
        long chunksAlreadyApplied,
        long transientFailures,
        long parked,
        String breakerState,
        long breakerWaits,
        long lastCommittedEventMillis,
        int activeShards,
        Map<String, String> haltedShards,
        long uptimeMillis,
        Map<String, Long> stuckShards) {
}
