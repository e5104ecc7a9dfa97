package io.projector.internal.kcl;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.kinesis.common.StreamConfig;
import software.amazon.kinesis.leases.LeaseManagementFactory;
import software.amazon.kinesis.leases.LeaseRefresher;
import software.amazon.kinesis.lifecycle.TaskResult;
import software.amazon.kinesis.metrics.NullMetricsFactory;

/**
 * Writes a new application's first leases before its scheduler starts.
 *
 * <p>While its lease table is empty, the KCL waits a random 1–30 s before its first shard sync, so
 * that a fleet starting at once does not list the stream from every worker. A Projector fleet pays
 * that on every first deploy, replay and rebuild. This runs the very shard sync the scheduler would
 * run — the adapter's shard syncer, built by the lease-management factory the scheduler uses, with
 * its initial position — so the leases are exactly the KCL's (keys, checkpoints, parent shard ids),
 * and the scheduler, finding the table no longer empty, skips its wait. Lease creation is a
 * conditional put, so workers doing this at the same moment write each lease once.
 */
final class InitialLeases {

    private static final Logger log = LoggerFactory.getLogger(InitialLeases.class);

    private InitialLeases() {
    }

    /**
     * Creates the lease table if needed and, when it holds no lease, the stream's leases.
     * Returns true when this call found the table empty and synced; any failure is logged and left
     * to the scheduler, which then takes its ordinary (slower) path.
     */
    static boolean createIfEmpty(LeaseManagementFactory factory, StreamConfig stream, long tableWaitSeconds) {
        long started = System.nanoTime();
        try {
            LeaseRefresher refresher = factory.createLeaseRefresher();
            refresher.createLeaseTableIfNotExists();
            if (!refresher.waitUntilLeaseTableExists(1, tableWaitSeconds)) {
                log.warn("lease table not active after {} s; the KCL will create the first leases itself", tableWaitSeconds);
                return false;
            }
            if (!refresher.isLeaseTableEmpty()) {
                return false;
            }
            TaskResult result = factory.createShardSyncTaskManager(new NullMetricsFactory(), stream, null).callShardSyncTask();
            if (result.getException() != null) {
                log.warn("creating the first leases failed ({}); the KCL will create them itself", result.getException().toString());
                return false;
            }
            log.info("lease table was empty: created the stream's leases in {} ms", (System.nanoTime() - started) / 1_000_000);
            return true;
        } catch (Exception e) {
            log.warn("creating the first leases failed ({}); the KCL will create them itself", e.toString());
            return false;
        }
    }
}
