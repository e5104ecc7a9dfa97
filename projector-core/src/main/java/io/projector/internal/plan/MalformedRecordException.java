package io.projector.internal.plan;

/** A stream record that cannot be decoded into a change event. */
public class MalformedRecordException extends RuntimeException {
    public MalformedRecordException(String message) {
        super(message);
    }
}
