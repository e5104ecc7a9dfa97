package io.projector;

/** What the engine does with a change a projection cannot project, once retries are spent. */
public enum FailurePolicy {
    /**
     * Park it in the dead-letter store, atomically with moving the projection's watermark past
     * it, and go on. Later changes of the same source item are parked behind it, so the item's
     * changes still reach the projection in order when they are re-driven.
     */
    DEAD_LETTER,
    /** Stop the shard and say why; nothing after it is applied until the cause is fixed and the worker restarted. */
    HALT
}
