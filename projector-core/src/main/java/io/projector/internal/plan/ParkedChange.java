package io.projector.internal.plan;

import io.projector.ChangeEvent;

/**
 * A change one projection could not project, on its way to the dead-letter store.
 *
 * @param projection       the projection that failed (or waits)
 * @param event            the change, with its images
 * @param reason           one line a person can act on
 * @param errorType        the exception's class, or "waits-behind" for a change parked behind an earlier one of its item
 * @param handOffAttribute the version attribute of the backfill hand-off the projection was in when this was parked, or
 *                         null: a re-drive must judge such a change by the hand-off rule, or it could apply it twice
 * @param scanned          whether the change is a backfill's read of the item (an INSERT of what the scan saw)
 */
public record ParkedChange(String projection, ChangeEvent event, String reason, String errorType, String handOffAttribute,
                           boolean scanned) {

    public static final String WAITS_BEHIND = "waits-behind";

    public ParkedChange(String projection, ChangeEvent event, String reason, String errorType) {
        this(projection, event, reason, errorType, null, false);
    }

    /** The same change, parked during a hand-off judged with this version attribute. */
    ParkedChange inHandOff(String versionAttribute, boolean scan) {
        return new ParkedChange(projection, event, reason, errorType, versionAttribute, scan);
    }
}
