/**
 * Not API. The pure stage, no client: decoding stream records and scanned items into change events,
 * routing them to projections and calling them, folding writes per item, cutting chunks within a
 * transaction's limits, the hand-off rule, and the engine's own key shapes ({@link io.projector.internal.plan.EngineKeys}).
 * Depends on no other stage.
 */
package io.projector.internal.plan;
