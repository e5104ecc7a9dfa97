/**
 * What a projection author writes against; a plugin jar depends on this artifact ({@code projector-api},
 * scope {@code provided}: the worker brings it) and on {@code projector-testkit} for its tests, and on
 * nothing else of Projector's.
 *
 * <h2>The map</h2>
 *
 * <ul>
 *   <li>{@link io.projector.Projection} — the one interface to implement: a stable {@code name()}, the
 *       {@code entityTypes()} it reads, and {@code project(ChangeEvent)}, a pure function from one change to
 *       the writes it intends. Optional: {@code failurePolicy()} ({@link io.projector.FailurePolicy}).</li>
 *   <li>{@link io.projector.ChangeEvent} — one source change: its {@link io.projector.ChangeType}, keys, old
 *       and new images, entity type and {@link io.projector.SequenceNumber}.</li>
 *   <li>{@link io.projector.Item} — a read-only image with typed getters ({@code string}, {@code number},
 *       {@code longValue}, {@code bool}, {@code list}, {@code map}, ...). A missing or mistyped attribute throws
 *       {@link io.projector.ItemAttributeException}, naming the attribute, the type found and the item.</li>
 *   <li>{@link io.projector.Write} — the intended writes: {@code put(pk, sk).with(..)}, {@code delete(pk, sk)},
 *       {@code increment(pk, sk, attribute, delta)}, {@code set(pk, sk).with(..).without(..)}, each addressed by
 *       an {@link io.projector.ItemKey}; plain Java values become DynamoDB attributes through
 *       {@link io.projector.AttributeValues}.</li>
 *   <li>{@link io.projector.ProjectionFailedException} — how the engine reports a change a projection could
 *       not project (it parks the change, or halts, as the failure policy says).</li>
 * </ul>
 *
 * <p>A plugin lists its projection classes, one a line, in
 * {@code META-INF/services/io.projector.Projection}; each needs a public no-argument constructor.
 *
 * <p>{@code projector-core} adds the embedding types ({@code Projector}, {@code ProjectorConfig}, ...) in
 * {@code io.projector.worker} and the operators' tools in {@code io.projector.ops}; a projection needs
 * none of them.
 */
package io.projector;
