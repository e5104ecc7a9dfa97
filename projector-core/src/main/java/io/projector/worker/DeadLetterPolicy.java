package io.projector.worker;

import java.time.Duration;
import java.util.Set;

/**
 * What a dead letter keeps, and for how long. A letter holds the change it could not project;
 * with images that is a copy of the source item, personal data included, readable by whoever can
 * Query the read-model table. So every letter carries {@code expiresAt} (epoch seconds) for the
 * table's time to live, and the images can be left out or have named attributes redacted.
 *
 * <p>A letter without its images, or with attributes redacted, is kept for inspection only: a
 * re-drive would project something other than what happened, so {@code dlq redrive} counts it as
 * not re-drivable. Its keys, shard and sequence number say which stream record it was (the stream
 * keeps records for 24 hours) and the source table holds the item's current state.
 *
 * @param retention          how long a letter is kept before TTL deletes it (DynamoDB deletes
 *                           expired items within a few days of expiry, not at once)
 * @param keepImages         false: store keys, sequence number and reason only
 * @param redactedAttributes top-level attributes of the old and new images whose values are
 *                           replaced by {@value #REDACTED} (with {@code keepImages} only)
 */
public record DeadLetterPolicy(Duration retention, boolean keepImages, Set<String> redactedAttributes) {

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(14);
    public static final String REDACTED = "<redacted>";
    /** Full images, kept 14 days. */
    public static final DeadLetterPolicy DEFAULT = new DeadLetterPolicy(DEFAULT_RETENTION, true, Set.of());

    public DeadLetterPolicy {
        if (retention == null || retention.compareTo(Duration.ofHours(1)) < 0 || retention.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException("dead-letter retention must be between 1 hour and 365 days, was " + retention);
        }
        redactedAttributes = Set.copyOf(redactedAttributes);
        for (String name : redactedAttributes) {
            if (name.isBlank()) {
                throw new IllegalArgumentException("dead-letter redacted attributes: an attribute name is empty");
            }
        }
        if (!keepImages && !redactedAttributes.isEmpty()) {
            throw new IllegalArgumentException("dead-letter redacted attributes " + redactedAttributes
                    + " need images to redact: letters are kept without images");
        }
    }
}
