/**
 * The guarded commit (issue 14), not API: a window's writes folded into one self-guarding
 * conditional request per read-model item, so that exactness no longer needs a transaction. Copies
 * carry the position of the change they hold; counters carry, per stream shard, the last sequence
 * number folded in. This package holds the pure part: folding and the conditions.
 */
package io.projector.internal.guard;
