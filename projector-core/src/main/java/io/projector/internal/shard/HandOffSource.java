package io.projector.internal.shard;

import io.projector.ChangeEvent;
import io.projector.SequenceNumber;
import io.projector.internal.plan.HandOff;
import java.util.List;
import java.util.Map;

/** Where a shard projector learns which of its projections are in a hand-off, and their markers. */
public interface HandOffSource {

    /** No hand-off ever: the plain stream path. */
    HandOffSource NONE = new HandOffSource() {
        @Override
        public HandOff view(List<ChangeEvent> events) {
            return HandOff.NONE;
        }

        @Override
        public boolean anyActive() {
            return false;
        }
    };

    /** The hand-off for planning these events, with the current markers of their items. */
    HandOff view(List<ChangeEvent> events);

    /**
     * Whether any projection is in a hand-off now. When none is, the shard reads no markers: the
     * caller skips {@link #view} and its read-model call altogether.
     */
    boolean anyActive();

    /** Whether registrations should be read again now (cheap: no I/O). */
    default boolean refreshDue() {
        return false;
    }

    /** Re-reads registrations and joins new ones (the watermarks tell whether a projection may join). */
    default void refresh(Map<String, SequenceNumber> watermarks) {
    }

    /** Called after each batch, once all of it is committed. */
    default void processed(List<ChangeEvent> events) {
    }

    /** Called when a read of the shard found nothing new: the shard is at its tip now. */
    default void atTip() {
    }

    /** Called when the shard is closed and all of it was processed. */
    default void shardFinished() {
    }

    /** Projections that joined a backfill's hand-off on this shard: the scan covers their changes before the join. */
    default java.util.Set<String> joined() {
        return java.util.Set.of();
    }

    /** True for a backfill's scan: no stream position, so no watermarks. */
    default boolean scan() {
        return false;
    }
}
