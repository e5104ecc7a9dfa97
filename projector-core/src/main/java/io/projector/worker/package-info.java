/**
 * For embedders: run a projection worker inside your own program.
 *
 * <p>{@link io.projector.worker.Projector#start} starts a worker for a {@link io.projector.worker.ProjectorConfig}
 * (built with {@code ProjectorConfig.builder()}) and the
 * projections to run; {@link io.projector.worker.Projector#stats()} reports what it did as
 * {@link io.projector.worker.ProjectorStats}; {@link io.projector.worker.DeadLetterPolicy} says what a
 * dead letter keeps. Projections themselves are written against {@code io.projector} (projector-api).
 */
package io.projector.worker;
