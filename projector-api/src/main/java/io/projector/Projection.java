package io.projector;

import java.util.List;
import java.util.Set;

/**
 * The one thing a projection author writes: a pure function from one source change to the
 * read-model writes it implies.
 *
 * <p>{@link #project} must do no I/O and must be deterministic: the engine may call it again for
 * the same event after a crash or a replay, and relies on getting the same writes back. Counters
 * should be moved by {@code contribution(newImage) - contribution(oldImage)}, never by event name,
 * so that modifies and removes are exact.
 */
public interface Projection {

    /** A stable name; it keys this projection's watermarks, so renaming it restarts it from scratch. */
    String name();

    /** The source entity types (values of the entity-type attribute, default {@code type}) this projection wants. */
    Set<String> entityTypes();

    /** The writes one change implies; an empty list when it implies none. */
    List<Write> project(ChangeEvent event);

    /** What to do with a change this projection cannot project: park it (the default) or halt the shard. */
    default FailurePolicy failurePolicy() {
        return FailurePolicy.DEAD_LETTER;
    }
}
