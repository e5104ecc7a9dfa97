/**
 * The engine. Not API: nothing here is stable, and no public type outside {@code io.projector.internal}
 * shows one of these types (a test checks both that and the stage order below).
 *
 * <p>The path of one change reads as a row of packages, each depending only on those to its left:
 * {@code plan <- store <- guard <- commit <- shard <- {handoff, kcl} <- internal <- worker <- ops}.
 * This package holds {@link io.projector.internal.Engine}, which wires the stages for a read-model
 * table, for the worker ({@code io.projector.worker}) and for backfill alike.
 */
package io.projector.internal;
