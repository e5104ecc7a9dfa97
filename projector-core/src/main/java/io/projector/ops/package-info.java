/**
 * For operators' tools: what the {@code projector} command runs besides the worker, usable from
 * code too.
 *
 * <ul>
 *   <li>{@link io.projector.ops.Backfill} — project what a source table already holds, handing over to
 *       the running workers without a gap or a double count ({@link io.projector.ops.BackfillConfig},
 *       {@link io.projector.ops.BackfillProgress});</li>
 *   <li>{@link io.projector.ops.Replay} and {@link io.projector.ops.Rebuild} ({@link io.projector.ops.RebuildOptions})
 *       — project a stream again, or a read model anew into a new table;</li>
 *   <li>{@link io.projector.ops.DeadLetters} — list, re-drive and purge parked changes ({@link io.projector.ops.DeadLetter});</li>
 *   <li>{@link io.projector.ops.ReadModelStatus}, {@link io.projector.ops.ReadModelPointer} — how far a read model is, and which
 *       table readers should use;</li>
 *   <li>{@link io.projector.ops.Tables}, {@link io.projector.ops.KeyMigration} — the tables Projector works with, and moving
 *       engine items written before keys named the application;</li>
 *   <li>{@link io.projector.ops.ReadModelVerifier} — a read model against a recomputation from the source
 *       ({@link io.projector.ops.Recomputation}, {@link io.projector.ops.VerificationResult}).</li>
 * </ul>
 */
package io.projector.ops;
