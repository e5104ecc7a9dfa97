package io.projector.internal.plan;

import io.projector.ProjectionFailedException;

/**
 * Texts from outside the engine (a projection's exception message, a reason built from one) are
 * cut before they go into a dead letter or a log line: such a message can carry a whole item, or
 * personal data, and nothing bounds its length otherwise. The rule is the one
 * {@link ProjectionFailedException} applies to its reason, kept there so the API needs no engine class.
 */
public final class BoundedText {

    public static final int MAX_CHARS = ProjectionFailedException.MAX_REASON_CHARS;

    private BoundedText() {
    }

    /** The text, or its first {@link #MAX_CHARS} characters and how many were cut. */
    public static String cut(String text) {
        return ProjectionFailedException.cut(text);
    }
}
