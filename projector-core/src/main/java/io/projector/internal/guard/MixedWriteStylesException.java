package io.projector.internal.guard;

import io.projector.ItemKey;
import io.projector.Write;

/**
 * A projection wrote one read-model item both as a copy (put, delete) and as a counter (increment,
 * set): the guarded commit keeps a position on copies and per-shard markers on counters, and
 * cannot keep both on one item.
 */
public final class MixedWriteStylesException extends IllegalArgumentException {

    /** Found on the stored item: a counter's update met an item that holds a copy's position. */
    public MixedWriteStylesException(String message) {
        super(message);
    }

    public MixedWriteStylesException(ItemKey key, Write write) {
        super("item " + key + " takes both puts/deletes and increments/sets (" + write.getClass().getSimpleName().toLowerCase()
                + " after the other kind): the guarded commit needs one kind per item; write the counter to an item of its own");
    }
}
