package io.projector;

import io.projector.internal.BoundedText;

/**
 * A projection threw, or asked for something the engine cannot do, for one event. The message
 * names the projection, the change and its sequence number, and the reason.
 */
public class ProjectionFailedException extends RuntimeException {

    private final String projection;
    private final ChangeEvent event;
    private final String reason;

    /** The reason is cut to a bounded length (it often holds a projection's exception text, which goes into letters and logs). */
    public ProjectionFailedException(String projection, ChangeEvent event, String reason, Throwable cause) {
        super("projection '" + projection + "' failed on " + describe(event) + ": " + BoundedText.cut(reason), cause);
        this.projection = projection;
        this.event = event;
        this.reason = BoundedText.cut(reason);
    }

    /** Why, without the projection and change (those are in the message). */
    public String reason() {
        return reason;
    }

    public String projection() {
        return projection;
    }

    public ChangeEvent event() {
        return event;
    }

    public static String describe(ChangeEvent e) {
        String keys = e.keys().where().startsWith("keys of ") ? e.keys().where().substring("keys of ".length()) : e.keys().asMap().toString();
        return e.type() + " of " + (e.entityType().isEmpty() ? "an item without entity type" : e.entityType()) + " " + keys
                + " (sequence number " + e.sequenceNumber() + ")";
    }
}
