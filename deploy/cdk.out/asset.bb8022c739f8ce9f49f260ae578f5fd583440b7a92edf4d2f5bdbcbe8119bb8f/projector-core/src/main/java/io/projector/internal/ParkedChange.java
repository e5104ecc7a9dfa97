package io.projector.internal;

import io.projector.ChangeEvent;

/**
 * A change one projection could not project, on its way to the dead-letter store.
 *
 * @param projection the projection that failed (or waits)
 * @param event      the change, with its images
 * @param reason     one line a person can act on
 * @param errorType  the exception's class, or "waits-behind" for a change parked behind an earlier one of its item
 */
public record ParkedChange(String projection, ChangeEvent event, String reason, String errorType) {

    public static final String WAITS_BEHIND = "waits-behind";
}
