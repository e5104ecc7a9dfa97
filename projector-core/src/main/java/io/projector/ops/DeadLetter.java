package io.projector.ops;

import io.projector.ChangeEvent;
import io.projector.worker.DeadLetterPolicy;
import java.time.Instant;
import java.util.Optional;

/**
 * A change parked in the dead-letter store: what it was, which projection could not project it,
 * and why.
 *
 * @param projection    the projection ({@code *} for a stream record that could not be decoded at all)
 * @param shardId       the shard it came from
 * @param sortKey       its key in the store (SK under PK {@code PROJECTOR#<application>#DLQ})
 * @param event         the change, with its images; empty for an undecodable record, when the images were too large to keep,
 *                      or when the {@link DeadLetterPolicy} kept no images or redacted some (such a letter is not re-driven)
 * @param sourceKey     the source item's key, e.g. {@code PK=ORDER#1|SK=ORDER}
 * @param reason        one line: what went wrong
 * @param errorType     the kind of failure ({@code waits-behind} when it only waits behind an earlier parked change of its item)
 * @param parkedAt      when it was parked
 * @param attempts      how many times it was projected and failed, re-drives included
 * @param handOffVersionAttribute the version attribute of the backfill hand-off its projection was in when it was parked:
 *                      a re-drive judges it by the hand-off rule (empty: parked outside a hand-off)
 * @param scanned       whether it is a backfill's read of the item rather than a stream change (its sequence number
 *                      then only counts the scan's reads; where it stands among the item's changes is its version)
 */
public record DeadLetter(
        String projection,
        String shardId,
        String sortKey,
        Optional<ChangeEvent> event,
        String sourceKey,
        String reason,
        String errorType,
        Instant parkedAt,
        int attempts,
        Optional<String> handOffVersionAttribute,
        boolean scanned) {

    /** A dead letter parked outside a hand-off. */
    public DeadLetter(String projection, String shardId, String sortKey, Optional<ChangeEvent> event, String sourceKey, String reason,
                      String errorType, Instant parkedAt, int attempts) {
        this(projection, shardId, sortKey, event, sourceKey, reason, errorType, parkedAt, attempts, Optional.empty(), false);
    }

    /** One line for a listing. */
    public String summary() {
        String what = event.map(e -> scanned ? "scan read " + (e.entityType().isEmpty() ? "-" : e.entityType())
                        : e.type() + " " + (e.entityType().isEmpty() ? "-" : e.entityType()) + " seq " + e.sequenceNumber())
                .orElse("no change to re-drive (undecodable, too large, or images not kept)");
        return String.format("%-20s %-30s %-40s %s", projection, what, sourceKey, reason);
    }
}
