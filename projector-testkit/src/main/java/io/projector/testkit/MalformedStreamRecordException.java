package io.projector.testkit;

/**
 * A stream record the test kit was given cannot become a change event: JSON of the wrong shape, or a
 * record the engine's own decoder refuses (with the decoder's message, the one a worker would log).
 * A test kit type, so that a projection's tests depend on nothing of the engine's internals.
 */
public class MalformedStreamRecordException extends RuntimeException {

    public MalformedStreamRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
