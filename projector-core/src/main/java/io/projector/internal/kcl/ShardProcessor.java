package io.projector.internal.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.adapter.DynamoDBStreamsClientRecord;
import com.amazonaws.services.dynamodbv2.streamsadapter.model.DynamoDBStreamsProcessRecordsInput;
import com.amazonaws.services.dynamodbv2.streamsadapter.processor.DynamoDBStreamsShardRecordProcessor;
import io.projector.ChangeEvent;
import io.projector.internal.plan.ChangeEventDecoder;
import io.projector.internal.plan.FatalErrors;
import io.projector.internal.plan.MalformedRecordException;
import io.projector.internal.plan.ShardStoppedException;
import io.projector.internal.shard.ShardProjector;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.kinesis.exceptions.ShutdownException;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.processor.RecordProcessorCheckpointer;

/**
 * The KCL's view of one shard. The engine owns these callbacks so that projection authors never
 * see them: records are decoded, projected and committed; then the lease is checkpointed, at most
 * once per checkpoint interval (the watermark, not the checkpoint, guarantees exactly-once).
 * A record that cannot be projected halts this shard loudly rather than being skipped; a fatal
 * VM error (out of memory) hands the worker to the fatal handler, which ends the process.
 */
final class ShardProcessor implements DynamoDBStreamsShardRecordProcessor {

    private static final Logger log = LoggerFactory.getLogger(ShardProcessor.class);
    /** A batch this size (the poll's maximum) means more records wait behind it. */
    static final int FULL_BATCH = 1000;
    /** The most records one guarded window folds while the shard is behind: five full batches. */
    static final int WINDOW_RECORDS = 5 * FULL_BATCH;

    /** Builds the shard's projector; the supplier tells it when to give up (lease lost, shutdown). */
    public interface ProjectorFactory {
        ShardProjector create(String shardId, BooleanSupplier stopRequested);
    }

    private final ProjectorFactory factory;
    private final ChangeEventDecoder decoder;
    private final Duration checkpointInterval;
    private final Clock clock;
    private final ShardRegistry registry;
    private final Consumer<Throwable> fatalHandler;

    private String shardId = "?";
    private ShardProjector projector;
    private volatile boolean stopping;
    private boolean halted;
    private String processedUpTo;
    /**
     * Records read but not yet projected: while a guarded shard is behind (its batches come full), up
     * to {@link #WINDOW_RECORDS} are folded into one window, so a hot counter takes one write for
     * them all. They are not checkpointed, so a lost lease or a stop leaves them to the next owner.
     */
    private final List<ChangeEvent> held = new ArrayList<>();
    private String heldUpTo;
    private String checkpointedAt;
    private long lastCheckpointMillis;

    ShardProcessor(ProjectorFactory factory, ChangeEventDecoder decoder, Duration checkpointInterval, Clock clock, ShardRegistry registry,
                   Consumer<Throwable> fatalHandler) {
        this.fatalHandler = fatalHandler;
        this.factory = factory;
        this.decoder = decoder;
        this.checkpointInterval = checkpointInterval;
        this.clock = clock;
        this.registry = registry;
    }

    @Override
    public void initialize(InitializationInput input) {
        shardId = input.shardId();
        MDC.put("shard", shardId);
        if (stopRequested()) {
            // A shard handed over while the worker stops (a child after its parent ended): loading it would only be
            // refused by the stop, and the KCL would retry initialize until the end. It processes nothing.
            log.info("shard {} taken while stopping: left for the next owner", shardId);
            MDC.remove("shard");
            return;
        }
        try {
            projector = factory.create(shardId, this::stopRequested);
            projector.initialize();
            projector.resumedAt(input.extendedSequenceNumber() == null ? null : input.extendedSequenceNumber().sequenceNumber());
            registry.started(shardId);
            log.info("shard {} taken, resuming after checkpoint {}", shardId, input.extendedSequenceNumber());
        } finally {
            MDC.remove("shard");
        }
    }

    @Override
    public void processRecords(DynamoDBStreamsProcessRecordsInput input) {
        // Once the worker stops, no batch is begun: one abandoned mid-way must not be passed by the next.
        if (halted || stopRequested()) {
            return;
        }
        MDC.put("shard", shardId);
        registry.batchStarted(shardId, clock.millis());
        try {
            if (input.records().isEmpty() && heldUpTo != null) {
                // The shard's tip came before a whole window did: what is held goes now.
                process(input);
            } else if (input.records().isEmpty()) {
                idle();
            } else {
                process(input);
            }
        } finally {
            registry.batchEnded(shardId);
            if (stopRequested()) {
                // The stop may have interrupted this thread; the KCL's thread must not carry that into its next task.
                Thread.interrupted();
            }
            MDC.remove("shard");
            MDC.remove("projection");
        }
    }

    /** Empty polls arrive too (at the tip of the shard): a chance to notice a backfill registration. */
    private void idle() {
        try {
            projector.idle();
        } catch (ShardStoppedException e) {
            log.info(e.getMessage());
        } catch (Throwable e) {
            if (FatalErrors.isFatal(e)) {
                fatal(e);
            }
            log.warn("shard {}: reading backfill registrations failed: {}", shardId, e.toString());
        }
    }

    /**
     * Nothing may escape: the KCL would log it and skip the batch, and the next commit would move
     * the watermark past the skipped records for good. What a projection throws is parked or halts
     * the shard in the planner; anything else that reaches here halts the shard.
     */
    private void process(DynamoDBStreamsProcessRecordsInput input) {
        try {
            List<ChangeEvent> events = new ArrayList<>(input.records().size());
            if (input.records().isEmpty()) {
                projectHeld();
                if (clock.millis() - lastCheckpointMillis >= checkpointInterval.toMillis()) {
                    checkpoint(input.checkpointer());
                }
                return;
            }
            for (DynamoDBStreamsClientRecord r : input.records()) {
                try {
                    events.add(decoder.decode(r.getRecord()));
                } catch (MalformedRecordException e) {
                    projector.parkUndecodable(r.getRecord(), e.getMessage());
                }
            }
            held.addAll(events);
            heldUpTo = input.records().get(input.records().size() - 1).sequenceNumber();
            if (projector.foldsAcrossBatches() && input.records().size() >= FULL_BATCH && held.size() < WINDOW_RECORDS) {
                return;
            }
            projectHeld();
            if (clock.millis() - lastCheckpointMillis >= checkpointInterval.toMillis()) {
                checkpoint(input.checkpointer());
            }
        } catch (ShardStoppedException e) {
            log.info(e.getMessage());
        } catch (Throwable e) {
            if (FatalErrors.isFatal(e)) {
                fatal(e);
            }
            if (stopRequested()) {
                // An interrupt from the stop surfaces as whatever the call in flight made of it: not the records' fault.
                log.info("shard {}: batch abandoned while stopping ({}); the next owner redoes it", shardId, e.toString());
                return;
            }
            halt(e);
        }
    }

    /** Projects the records held so far as one window; they count as processed once it returns. */
    private void projectHeld() {
        if (heldUpTo == null) {
            return;
        }
        projector.process(List.copyOf(held));
        held.clear();
        processedUpTo = heldUpTo;
        heldUpTo = null;
    }

    private void halt(Throwable e) {
        halted = true;
        String reason = e.getMessage() != null ? e.getMessage() : e.toString();
        registry.halted(shardId, reason);
        projector.halted(reason);
        if (e instanceof io.projector.ProjectionFailedException failed) {
            MDC.put("projection", failed.projection());
        }
        log.error("shard {} HALTED: {}. Nothing after the last committed record is applied or checkpointed; "
                + "fix the cause and restart the worker to resume from there.", shardId, reason, e);
    }

    /** The JVM is in doubt: this shard commits and checkpoints nothing more, and the worker ends. */
    private void fatal(Throwable e) {
        halted = true;
        fatalHandler.accept(e);
    }

    private boolean stopRequested() {
        return stopping || registry.stopRequested();
    }

    private void checkpoint(RecordProcessorCheckpointer checkpointer) {
        if (processedUpTo == null || processedUpTo.equals(checkpointedAt)) {
            return;
        }
        if (!projector.catchUp(io.projector.SequenceNumber.parse(processedUpTo))) {
            return;
        }
        try {
            checkpointer.checkpoint(processedUpTo);
            checkpointedAt = processedUpTo;
            lastCheckpointMillis = clock.millis();
        } catch (ShutdownException e) {
            log.info("shard {}: lease no longer held, checkpoint at {} skipped", shardId, processedUpTo);
        } catch (Exception e) {
            // The watermark already protects the read model; a failed checkpoint only means more redelivery.
            log.warn("shard {}: checkpoint at {} failed: {}", shardId, processedUpTo, e.toString());
        }
    }

    @Override
    public void leaseLost(LeaseLostInput input) {
        MDC.put("shard", shardId);
        try {
            stopping = true;
            registry.stopped(shardId);
            release();
            log.info("shard {}: lease lost", shardId);
        } finally {
            MDC.remove("shard");
        }
    }

    @Override
    public void shardEnded(ShardEndedInput input) {
        MDC.put("shard", shardId);
        try {
            registry.stopped(shardId);
            if (halted) {
                release();
                log.error("shard {} ended while halted: not checkpointing its end", shardId);
                return;
            }
            if (stopRequested() || projector == null) {
                // Batches that came after the stop were not processed: checkpointing the end would skip them for good.
                log.info("shard {} ended while stopping: not checkpointing its end; the next owner finishes it", shardId);
                return;
            }
            if (heldUpTo != null) {
                // The last records, held for a window that the shard's end cut short: projected as any batch is.
                try {
                    projectHeld();
                } catch (ShardStoppedException e) {
                    log.info(e.getMessage());
                    release();
                    return;
                } catch (Throwable e) {
                    if (FatalErrors.isFatal(e)) {
                        fatal(e);
                    } else if (!stopRequested()) {
                        halt(e);
                    }
                    release();
                    return;
                }
            }
            if (processedUpTo != null && !projector.catchUp(io.projector.SequenceNumber.parse(processedUpTo))) {
                log.warn("shard {} ended, but its end is not checkpointed until the watermarks reach it", shardId);
                return;
            }
            try {
                // Before the checkpoint: the child shard starts only after it, and finds the hand-off ended here.
                projector.finished();
            } catch (RuntimeException e) {
                release();
                log.warn("shard {}: could not record its end ({}); not checkpointing it, so it is read again", shardId, e.toString());
                return;
            }
            release();
            try {
                input.checkpointer().checkpoint();
                log.info("shard {} ended and fully processed", shardId);
            } catch (Exception e) {
                log.warn("shard {}: checkpoint at shard end failed: {}", shardId, e.toString());
            }
        } finally {
            MDC.remove("shard");
        }
    }

    @Override
    public void shutdownRequested(ShutdownRequestedInput input) {
        MDC.put("shard", shardId);
        try {
            stopping = true;
            checkpoint(input.checkpointer());
            registry.stopped(shardId);
            release();
            log.info("shard {}: shutdown requested, {}", shardId,
                    checkpointedAt == null ? "nothing processed to checkpoint" : "checkpointed at " + checkpointedAt);
        } finally {
            MDC.remove("shard");
        }
    }

    /** The shard's gauges go with it. */
    private void release() {
        if (projector != null) {
            projector.close();
        }
    }
}
