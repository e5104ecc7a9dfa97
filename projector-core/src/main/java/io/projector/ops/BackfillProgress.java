package io.projector.ops;

import java.time.Duration;

/**
 * Where a backfill stands.
 *
 * @param phase         REGISTERING, JOINING (waiting for workers to join the hand-off), SCANNING, COMPLETE or STOPPED
 * @param scanned       source items read so far, by this run and the runs it resumes
 * @param applied       (projection, item) pairs the scan applied; the rest the stream had already covered
 * @param estimate      the source table's approximate item count (DynamoDB refreshes it about every 6 hours)
 * @param itemsPerSecond the scan rate of this run so far
 * @param eta           the time left at that rate, or null when unknown
 * @param readUnits     read units the Scan consumed in this run
 * @param resumedFrom   items scanned by earlier, interrupted runs that this one went on from
 */
public record BackfillProgress(String phase, long scanned, long applied, long estimate, double itemsPerSecond, Duration eta,
                               double readUnits, long resumedFrom) {

    /** Percent done against the estimate (100 when complete), or -1 when there is no estimate. */
    public double percent() {
        if ("COMPLETE".equals(phase)) {
            return 100;
        }
        return estimate <= 0 ? -1 : Math.min(99.9, 100.0 * scanned / estimate);
    }
}
