package io.projector.internal.plan;

import io.projector.SequenceNumber;

/**
 * How a commit moves one projection's watermark on one shard: the commit applies only if the stored
 * watermark is below {@code firstApplied}, and sets it to {@code to}.
 */
public record WatermarkAdvance(String projection, SequenceNumber firstApplied, SequenceNumber to) {
}
