/**
 * For projection tests, no database: {@link io.projector.testkit.ProjectionTestKit} (the engine's own
 * planner, DynamoDB's semantics, strict by default; its class javadoc is the tutorial),
 * {@link io.projector.testkit.ChangeEvents} (hand-made insert, modify and remove events),
 * {@link io.projector.testkit.StreamRecordJson} (stream records as JSON, as logs and Lambda events show them)
 * and {@link io.projector.testkit.ReadModelCheck} (a read model against a recomputation from the source).
 * A plugin depends on this artifact in test scope.
 */
package io.projector.testkit;
