/**
 * Not API. The two sides of a backfill's hand-off: the stream side (a shard joins, then applies
 * changes by the hand-off rule against markers) and the scan side. Depends on the stages up to
 * {@code shard}.
 */
package io.projector.internal.handoff;
