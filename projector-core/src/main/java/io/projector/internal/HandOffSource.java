package io.projector.internal;

import io.projector.ChangeEvent;
import io.projector.SequenceNumber;
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
    };

    /** The hand-off for planning these events, with the current markers of their items. */
    HandOff view(List<ChangeEvent> events);

    /** Called before each batch: a chance to re-read registrations (the watermarks tell whether a projection may join). */
    default void refreshIfDue(Map<String, SequenceNumber> watermarks) {
    }

    /** Called after each batch with the creation time of its newest change. */
    default void processed(long lastEventMillis) {
    }

    /** True for a backfill's scan: no stream position, so no watermarks. */
    default boolean scan() {
        return false;
    }
}
