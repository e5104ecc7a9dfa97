package io.projector.internal.shard;

import io.projector.internal.store.ShardStatusStore;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps one shard's {@link ShardStatusStore.Report} and writes it at most every few seconds (and at once on a halt). */
public final class ShardReporter {

    private static final Logger log = LoggerFactory.getLogger(ShardReporter.class);
    private static final long INTERVAL_MILLIS = 3_000;

    private final ShardStatusStore store;
    private final String application;
    private final String shardId;
    private final String worker;
    private final Clock clock;
    private long polledAt;
    private long atTipAt;
    private long newestRecord;
    private long behind;
    private String halted;
    private String position;
    private java.util.List<String> projections = java.util.List.of();
    private long haltedAt;
    private long oldestUnapplied;
    private long writtenAt;

    public ShardReporter(ShardStatusStore store, String application, String shardId, String worker, Clock clock) {
        this.store = store;
        this.application = application;
        this.shardId = shardId;
        this.worker = worker;
        this.clock = clock;
    }

    public void read(long newestRecordMillis) {
        polledAt = clock.millis();
        newestRecord = Math.max(newestRecord, newestRecordMillis);
        behind = Math.max(0, polledAt - newestRecordMillis);
        writeIfDue();
    }

    public void atTip() {
        polledAt = clock.millis();
        atTipAt = polledAt;
        behind = 0;
        writeIfDue();
    }

    /** Every projection of the worker has its watermark at {@code sequenceNumber} or beyond: written at once. */
    public void caughtUp(String sequenceNumber, java.util.List<String> projections) {
        position = sequenceNumber;
        this.projections = java.util.List.copyOf(projections);
        writtenAt = 0;
        writeIfDue();
    }

    /** @param oldestUnappliedMillis creation time of the oldest change the shard has not applied (0: unknown) */
    public void halted(String reason, long oldestUnappliedMillis) {
        halted = reason;
        haltedAt = clock.millis();
        oldestUnapplied = oldestUnappliedMillis;
        writtenAt = 0;
        writeIfDue();
    }

    /**
     * The shard is closed and done: its report goes, so that reports do not pile up with every
     * rollover and a closed shard is not waited on to reach a tip it never will. A halted shard's
     * report stays: it says why.
     */
    public void finished() {
        if (halted != null) {
            return;
        }
        try {
            store.delete(application, shardId);
        } catch (RuntimeException e) {
            log.debug("shard {}: status report not deleted: {}", shardId, e.toString());
        }
        // Nothing is written for this shard after its end.
        writtenAt = Long.MAX_VALUE;
    }

    private void writeIfDue() {
        long now = clock.millis();
        if (writtenAt == Long.MAX_VALUE || now - writtenAt < INTERVAL_MILLIS) {
            return;
        }
        writtenAt = now;
        try {
            store.put(new ShardStatusStore.Report(application, shardId, worker, polledAt, atTipAt, newestRecord, behind, halted,
                    position, projections, haltedAt, oldestUnapplied));
        } catch (RuntimeException e) {
            // Only the status report gets older; the projection goes on.
            log.debug("shard {}: status report not written: {}", shardId, e.toString());
        }
    }
}
