package io.projector.internal.plan;

import io.projector.SequenceNumber;
import io.projector.Write;

/**
 * One write a projection made for the change at {@code sequence}: what the guarded commit folds per
 * item itself, since it needs each write's position, not only the folded result.
 */
public record SequencedWrite(SequenceNumber sequence, Write write) {
}
