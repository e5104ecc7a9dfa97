package io.projector.internal.store;

import io.projector.SequenceNumber;
import io.projector.internal.plan.AppliedVersion;
import io.projector.internal.plan.MarkerKey;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What a shard's {@code HandOffTracker} reads and records durably: the registrations, whether the
 * shard joined or ended each projection's hand-off, and the markers. The read-model table in a
 * worker ({@link StoredHandOffLedger}); a map in property tests.
 */
public interface HandOffLedger {

    /** Where one shard stands in one projection's hand-off. */
    enum ShardState {
        /** Neither joined nor ended. */
        NONE,
        /** Its changes are judged by the hand-off rule. */
        JOINED,
        /** Its hand-off is over for good: its changes are applied as the plain stream's are. */
        ENDED
    }

    Map<String, BackfillStore.Registration> registrations(List<String> projections);

    ShardState state(String projection, String shardId);

    void join(String projection, String shardId, String workerId, long nowMillis);

    void refuse(String projection, String shardId, String reason, long nowMillis);

    /**
     * Records that the shard's hand-off ended. First moves the projection's watermark on the shard
     * to {@code last} (null: this worker processed nothing there), so that a change redelivered from
     * an older checkpoint is skipped by the watermark, not applied anew now that no rule judges it.
     */
    void end(String projection, String shardId, SequenceNumber last, long nowMillis);

    /**
     * Retires the projection's registration (with its join records) when its scan is complete and
     * every open shard and every shard that joined has ended; true if it did. A shard opened later
     * holds only changes made after the end.
     */
    boolean retireIfEnded(String projection);

    Map<MarkerKey, AppliedVersion> markers(Collection<MarkerKey> keys);
}
