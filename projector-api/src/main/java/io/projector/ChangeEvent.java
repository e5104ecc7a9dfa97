package io.projector;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One change of one source item, decoded from a stream record.
 *
 * @param type                    INSERT, MODIFY or REMOVE
 * @param keys                    the source item's key attributes
 * @param oldImage                the item before the change (absent for INSERT)
 * @param newImage                the item after the change (absent for REMOVE)
 * @param entityType              the entity type of the item as it is now: from the new image, or for a REMOVE from the old one; empty when that image has none
 * @param sequenceNumber          the stream sequence number
 * @param approximateCreationTime when DynamoDB recorded the change
 * @param previousEntityType      the entity type in the old image; empty for an INSERT or when the old image has none
 */
public record ChangeEvent(
        ChangeType type,
        Item keys,
        Optional<Item> oldImage,
        Optional<Item> newImage,
        String entityType,
        SequenceNumber sequenceNumber,
        Instant approximateCreationTime,
        String previousEntityType) {

    public ChangeEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(oldImage, "oldImage");
        Objects.requireNonNull(newImage, "newImage");
        Objects.requireNonNull(entityType, "entityType");
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        Objects.requireNonNull(approximateCreationTime, "approximateCreationTime");
        Objects.requireNonNull(previousEntityType, "previousEntityType");
        if (type != ChangeType.REMOVE && newImage.isEmpty()) {
            throw new IllegalArgumentException(type + " event " + sequenceNumber + " has no new image: the stream must use NEW_AND_OLD_IMAGES");
        }
        if (type != ChangeType.INSERT && oldImage.isEmpty()) {
            throw new IllegalArgumentException(type + " event " + sequenceNumber + " has no old image: the stream must use NEW_AND_OLD_IMAGES");
        }
    }

    /** A change whose item keeps its entity type (the old image, if any, has the same type). */
    public ChangeEvent(ChangeType type, Item keys, Optional<Item> oldImage, Optional<Item> newImage, String entityType,
                       SequenceNumber sequenceNumber, Instant approximateCreationTime) {
        this(type, keys, oldImage, newImage, entityType, sequenceNumber, approximateCreationTime, oldImage.isPresent() ? entityType : "");
    }

    /** True for a MODIFY that turned the item into another entity type. */
    public boolean changesEntityType() {
        return type == ChangeType.MODIFY && !previousEntityType.equals(entityType);
    }

    /** The image that describes the item as it now is, or was just before it was removed. */
    public Item latestImage() {
        return newImage.or(() -> oldImage).orElseThrow();
    }
}
