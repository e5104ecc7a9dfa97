package io.projector;

/**
 * A projection threw, or asked for something the engine cannot do, for one event. The message
 * names the projection, the change and its sequence number, and the reason.
 */
public class ProjectionFailedException extends RuntimeException {

    /** Enough for a message a person acts on; an exception's text past this is rarely the useful part. */
    public static final int MAX_REASON_CHARS = 500;

    private final String projection;
    private final ChangeEvent event;
    private final String reason;

    /** The reason is cut to a bounded length (it often holds a projection's exception text, which goes into letters and logs). */
    public ProjectionFailedException(String projection, ChangeEvent event, String reason, Throwable cause) {
        super("projection '" + projection + "' failed on " + describe(event) + ": " + cut(reason), cause);
        this.projection = projection;
        this.event = event;
        this.reason = cut(reason);
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

    /**
     * The text, or its first {@link #MAX_REASON_CHARS} characters and how many were cut. A reason often
     * holds a projection's exception text, which can carry a whole item or personal data and goes into
     * dead letters and logs. The rule lives here, beside the exception that applies it, so that this
     * API depends on nothing of the engine; the engine cuts its other reasons with it too.
     */
    public static String cut(String text) {
        if (text == null || text.length() <= MAX_REASON_CHARS) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_REASON_CHARS - 1)) ? MAX_REASON_CHARS - 1 : MAX_REASON_CHARS;
        return text.substring(0, end) + "... (" + (text.length() - end) + " more characters cut)";
    }
}
