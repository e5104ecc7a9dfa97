package io.projector.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Running totals of one worker, shared by its shards. */
public final class EngineCounters {
    public final LongAdder eventsSeen = new LongAdder();
    public final LongAdder chunksCommitted = new LongAdder();
    public final LongAdder itemWrites = new LongAdder();
    public final LongAdder watermarkWrites = new LongAdder();
    public final LongAdder chunksAlreadyApplied = new LongAdder();
    public final LongAdder transientFailures = new LongAdder();
    public final LongAdder parked = new LongAdder();
    public final LongAdder breakerWaits = new LongAdder();
    /** Epoch millis of the newest change whose writes were committed. */
    public final AtomicLong lastCommittedEventMillis = new AtomicLong();
}
