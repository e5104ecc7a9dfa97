package io.projector.internal.commit;

/**
 * A guarded window was still being sent longer after it was planned than the tombstone grace
 * allows (half of it): its owner may have lost the shard meanwhile, and the tombstones and markers
 * that would refuse its older writes may be gone by now. The shard reads its watermarks again and
 * plans afresh instead of sending on.
 */
public final class StaleWindowException extends RuntimeException {

    public StaleWindowException(String message) {
        super(message, null, false, false);
    }
}
