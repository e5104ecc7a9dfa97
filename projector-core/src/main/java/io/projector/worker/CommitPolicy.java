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
 * @param inFlight       GUARDED: how many requests the worker has in flight at once, its shards together (1 to 256)
 * @param tombstoneGrace GUARDED: how long a deleted item's tombstone stays before the worker removes
 *                       it; an owner of the shard paused for longer than this and then sending an
 *                       older put of the item could bring it back (1 s to 24 h)
 * @param transactional  GUARDED: projections that stay in transactions all the same (one that writes an
 *                       item both as a copy and as a counter, say); projections that share items must
 *                       share a mode
 * @param packing        GUARDED: whether the guarded requests go one by one or packed into transactions
 *                       ({@link Packing}; AUTO: packed on DynamoDB Local, single on AWS)
 */
public record CommitPolicy(Mode mode, int inFlight, Duration tombstoneGrace, java.util.Set<String> transactional, Packing packing) {

    /** How changes are committed. */
    public enum Mode { TRANSACTIONAL, GUARDED }

    /**
     * How the guarded requests travel. Their conditions are the same either way; what differs is
     * the bill and the request count. {@link #SINGLE}: one request per item, one write unit per KB.
     * {@link #PACKED}: the same conditional writes packed into TransactWriteItems of up to 100, which
     * on AWS costs two write units per KB but on DynamoDB Local, bound by requests rather than items,
     * drains faster. A pack refused by a condition is sent again one request per item.
     * {@link #AUTO}: packed when the endpoint is on a loopback address (DynamoDB Local), single otherwise.
     */
    public enum Packing {
        AUTO, SINGLE, PACKED;

        /** SINGLE or PACKED: AUTO resolved for a worker on DynamoDB Local ({@code local}) or on AWS. */
        public Packing resolve(boolean local) {
            if (this != AUTO) {
                return this;
            }
            return local ? PACKED : SINGLE;
        }
    }

    public static final int DEFAULT_IN_FLIGHT = 16;
    public static final Duration DEFAULT_TOMBSTONE_GRACE = Duration.ofMinutes(5);
    /** Today's default: every chunk one transaction. */
    public static final CommitPolicy TRANSACTIONAL = new CommitPolicy(Mode.TRANSACTIONAL, DEFAULT_IN_FLIGHT, DEFAULT_TOMBSTONE_GRACE);
    /** Every item a self-guarded write: one request each on AWS, packed into transactions on DynamoDB Local. */
    public static final CommitPolicy GUARDED = new CommitPolicy(Mode.GUARDED, DEFAULT_IN_FLIGHT, DEFAULT_TOMBSTONE_GRACE);

    public CommitPolicy(Mode mode, int inFlight, Duration tombstoneGrace) {
        this(mode, inFlight, tombstoneGrace, java.util.Set.of());
    }

    public CommitPolicy(Mode mode, int inFlight, Duration tombstoneGrace, java.util.Set<String> transactional) {
        this(mode, inFlight, tombstoneGrace, transactional, Packing.AUTO);
    }

    /** The same policy, its guarded requests sent as {@code packing} says. */
    public CommitPolicy withPacking(Packing packing) {
        return new CommitPolicy(mode, inFlight, tombstoneGrace, transactional, packing);
    }

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
        transactional = java.util.Set.copyOf(transactional);
        if (packing == null) {
            throw new IllegalArgumentException("guarded packing is required: auto, single or packed");
        }
        if (mode == Mode.TRANSACTIONAL && !transactional.isEmpty()) {
            throw new IllegalArgumentException("transactional projections " + new java.util.TreeSet<>(transactional)
                    + " are named for the guarded commit mode, but the mode is transactional: every projection is already");
        }
    }

    /** The projections this policy commits guarded, of those named. */
    public java.util.Set<String> guarded(java.util.Collection<String> projections) {
        if (mode != Mode.GUARDED) {
            return java.util.Set.of();
        }
        java.util.Set<String> unknown = new java.util.TreeSet<>(transactional);
        unknown.removeAll(projections);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("transactional projections " + unknown + " are not among the projections run "
                    + new java.util.TreeSet<>(projections) + "; name loaded projections only");
        }
        java.util.Set<String> out = new java.util.LinkedHashSet<>(projections);
        out.removeAll(transactional);
        return out;
    }

    public boolean guarded() {
        return mode == Mode.GUARDED;
    }
}
