package io.projector.internal.plan;

/**
 * A marker move in a chunk's transaction, conditioned on the marker still being what the plan
 * saw, so a backfill page and a stream chunk that race on one item cannot both apply it.
 *
 * @param expected the marker the plan started from (null: none)
 * @param next     the marker after the chunk
 */
public record MarkerWrite(MarkerKey key, AppliedVersion expected, AppliedVersion next) {
}
