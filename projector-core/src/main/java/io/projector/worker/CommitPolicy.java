package io.projector.worker;

import java.time.Duration;

/**
 * How the worker writes the read model.
 *
 * <p>{@link Mode#TRANSACTIONAL}: each chunk of changes, with the watermarks it moves, is one
 * TransactWriteItems of at most 100 actions; a chunk sent twice fails on the watermark and changes
 * nothing. {@link Mode#GUARDED}: no transaction. Each read-model item of a window (a batch of one
 * shard) is one PutItem or UpdateItem that guards itself, a copy by the stream position it holds, a
 * counter by a marker per stream shard, so a window sent twice (a crash, a stale lease owner, a
 * lost response) changes nothing twice; the watermark moves after, as a progress mark. Items then
 * carry attributes named {@code projector:…}, and a delete leaves a tombstone
 * ({@code projector:deleted = true}) for {@code tombstoneGrace} (see the README).
 *
 * @param mode           how changes are committed
 * @param inFlight       GUARDED: how many requests of one window are in flight at once (1 to 256)
 * @param tombstoneGrace GUARDED: how long a deleted item's tombstone stays before the worker removes
 *                       it; an owner of the shard paused for longer than this and then sending an
 *                       older put of the item could bring it back (1 s to 24 h)
 */
public record CommitPolicy(Mode mode, int inFlight, Duration tombstoneGrace) {

    /** How changes are committed. */
    public enum Mode { TRANSACTIONAL, GUARDED }

    public static final int DEFAULT_IN_FLIGHT = 16;
    public static final Duration DEFAULT_TOMBSTONE_GRACE = Duration.ofMinutes(5);
    /** Today's default: every chunk one transaction. */
    public static final CommitPolicy TRANSACTIONAL = new CommitPolicy(Mode.TRANSACTIONAL, DEFAULT_IN_FLIGHT, DEFAULT_TOMBSTONE_GRACE);
    /** Every item a self-guarded single write. */
    public static final CommitPolicy GUARDED = new CommitPolicy(Mode.GUARDED, DEFAULT_IN_FLIGHT, DEFAULT_TOMBSTONE_GRACE);

    public CommitPolicy {
        if (mode == null) {
            throw new IllegalArgumentException("commit mode is required: transactional or guarded");
        }
        if (inFlight < 1 || inFlight > 256) {
            throw new IllegalArgumentException("in-flight writes must be between 1 and 256, was " + inFlight);
        }
        if (tombstoneGrace == null || tombstoneGrace.compareTo(Duration.ofSeconds(1)) < 0 || tombstoneGrace.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("tombstone grace must be between 1 s and 24 h, was " + tombstoneGrace);
        }
    }

    public boolean guarded() {
        return mode == Mode.GUARDED;
    }
}
