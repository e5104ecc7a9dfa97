package io.projector.internal;

/**
 * Texts from outside the engine (a projection's exception message, a reason built from one) are
 * cut before they go into a dead letter or a log line: such a message can carry a whole item, or
 * personal data, and nothing bounds its length otherwise.
 */
public final class BoundedText {

    /** Enough for a message a person acts on; an exception's text past this is rarely the useful part. */
    public static final int MAX_CHARS = 500;

    private BoundedText() {
    }

    /** The text, or its first {@link #MAX_CHARS} characters and how many were cut. */
    public static String cut(String text) {
        if (text == null || text.length() <= MAX_CHARS) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_CHARS - 1)) ? MAX_CHARS - 1 : MAX_CHARS;
        return text.substring(0, end) + "... (" + (text.length() - end) + " more characters cut)";
    }
}
