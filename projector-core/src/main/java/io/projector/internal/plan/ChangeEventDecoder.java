package io.projector.internal.plan;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.SequenceNumber;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/** Turns a DynamoDB stream record into a {@link ChangeEvent}; a malformed record gets a one-line reason. */
public final class ChangeEventDecoder {

    private final String entityTypeAttribute;

    public ChangeEventDecoder(String entityTypeAttribute) {
        if (entityTypeAttribute == null || entityTypeAttribute.isBlank()) {
            throw new IllegalArgumentException("the entity-type attribute name must not be empty");
        }
        this.entityTypeAttribute = entityTypeAttribute;
    }

    public ChangeEvent decode(Record record) {
        StreamRecord s = record.dynamodb();
        if (s == null) {
            throw new MalformedRecordException("stream record " + record.eventID() + " has no 'dynamodb' body");
        }
        if (s.sequenceNumber() == null) {
            throw new MalformedRecordException("stream record " + record.eventID() + " has no sequence number");
        }
        SequenceNumber seq;
        try {
            seq = SequenceNumber.parse(s.sequenceNumber());
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException("stream record " + record.eventID() + ": " + e.getMessage());
        }
        ChangeType type;
        try {
            type = ChangeType.valueOf(String.valueOf(record.eventNameAsString()));
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException("stream record " + seq + " has event name '" + record.eventNameAsString()
                    + "', expected INSERT, MODIFY or REMOVE");
        }
        if (!s.hasKeys() || s.keys().isEmpty()) {
            throw new MalformedRecordException("stream record " + seq + " has no keys");
        }
        String where = keyText(s.keys());
        Item keys = Item.of(s.keys(), "keys of " + where);
        Optional<Item> oldImage = s.hasOldImage() ? Optional.of(Item.of(s.oldImage(), "old image of " + where)) : Optional.empty();
        Optional<Item> newImage = s.hasNewImage() ? Optional.of(Item.of(s.newImage(), "new image of " + where)) : Optional.empty();
        String entityType = newImage.or(() -> oldImage).map(this::entityTypeOf).orElse("");
        String previousEntityType = oldImage.map(this::entityTypeOf).orElse("");
        Instant created = s.approximateCreationDateTime() != null ? s.approximateCreationDateTime() : Instant.EPOCH;
        try {
            return new ChangeEvent(type, keys, oldImage, newImage, entityType, seq, created, previousEntityType);
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException(e.getMessage() + " (item " + where + ")");
        }
    }

    /** What a backfill read of an item means to a projection: the item arriving, as it is now. */
    public ChangeEvent fromScan(Map<String, AttributeValue> item, List<String> keyNames, SequenceNumber seq, Instant readAt) {
        Map<String, AttributeValue> keys = new LinkedHashMap<>();
        keyNames.forEach(k -> keys.put(k, item.get(k)));
        String where = keyText(keys);
        Item image = Item.of(item, "scanned item " + where);
        return new ChangeEvent(ChangeType.INSERT, Item.of(keys, "keys of " + where), Optional.empty(), Optional.of(image),
                entityTypeOf(image), seq, readAt, "");
    }

    private String entityTypeOf(Item image) {
        AttributeValue v = image.asMap().get(entityTypeAttribute);
        return v != null && v.s() != null ? v.s() : "";
    }

    private static String keyText(Map<String, AttributeValue> keys) {
        StringBuilder b = new StringBuilder();
        keys.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            if (b.length() > 0) {
                b.append(" | ");
            }
            AttributeValue v = e.getValue();
            b.append(v.s() != null ? v.s() : v.n() != null ? v.n() : String.valueOf(v));
        });
        return b.toString();
    }
}
