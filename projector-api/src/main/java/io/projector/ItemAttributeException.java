package io.projector;

/** An attribute a projection asked for is missing or has another type; the message names it and where it was looked for. */
public class ItemAttributeException extends IllegalArgumentException {
    public ItemAttributeException(String message) {
        super(message);
    }
}
