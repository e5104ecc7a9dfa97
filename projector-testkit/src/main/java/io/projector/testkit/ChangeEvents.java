package io.projector.testkit;

import io.projector.AttributeValues;
import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.SequenceNumber;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Hand-made change events, to call a projection directly or to feed {@link ProjectionTestKit#apply}
 * what {@code put} and {@code delete} cannot express (a REMOVE of an item the kit never saw, a
 * MODIFY whose old image is not the kit's copy):
 *
 * <pre>{@code
 * ChangeEvents events = ChangeEvents.create();
 * Map<String, Object> order = Map.of("PK", "ORDER#1", "SK", "ORDER", "type", "Order", "total", 30);
 * List<Write> writes = new OrderHistoryProjection().project(events.insert(order));
 * kit.apply(events.remove(order));
 * }</pre>
 *
 * <p>Values are as in {@link AttributeValues#of}. The keys come from the images' key attributes,
 * the entity types from their entity-type attribute (the old image's for
 * {@link ChangeEvent#previousEntityType()}). Each event takes the next sequence number (from 1)
 * and a creation time one millisecond after the last, so the events of one factory are in stream
 * order.
 */
public final class ChangeEvents {

    private final String partitionKey;
    private final String sortKey;
    private final String entityTypeAttribute;
    private long nextSequence = 1;
    private Instant clock = Instant.parse("2024-01-01T00:00:00Z");

    private ChangeEvents(String partitionKey, String sortKey, String entityTypeAttribute) {
        this.partitionKey = partitionKey;
        this.sortKey = sortKey;
        this.entityTypeAttribute = entityTypeAttribute;
    }

    /** Events of a source table keyed by {@code PK} and {@code SK}, entity type in {@code type}. */
    public static ChangeEvents create() {
        return new ChangeEvents("PK", "SK", "type");
    }

    /** Events of a source table with other key or entity-type attribute names. */
    public static ChangeEvents of(String partitionKey, String sortKey, String entityTypeAttribute) {
        return new ChangeEvents(partitionKey, sortKey, entityTypeAttribute);
    }

    /** The next event takes this sequence number (later ones count up from it). */
    public ChangeEvents startingAt(long sequenceNumber) {
        nextSequence = sequenceNumber;
        return this;
    }

    /** The item was written for the first time. */
    public ChangeEvent insert(Map<String, ?> item) {
        return event(ChangeType.INSERT, null, item);
    }

    /** The item changed from {@code before} to {@code after} (same key). */
    public ChangeEvent modify(Map<String, ?> before, Map<String, ?> after) {
        return event(ChangeType.MODIFY, before, after);
    }

    /** The item was deleted; {@code last} is its image before. */
    public ChangeEvent remove(Map<String, ?> last) {
        return event(ChangeType.REMOVE, last, null);
    }

    /** Any change: {@code oldItem} is null for an INSERT, {@code newItem} null for a REMOVE. */
    public ChangeEvent event(ChangeType type, Map<String, ?> oldItem, Map<String, ?> newItem) {
        Optional<Item> oldImage = Optional.ofNullable(oldItem).map(m -> image(m, "old image"));
        Optional<Item> newImage = Optional.ofNullable(newItem).map(m -> image(m, "new image"));
        Item latest = newImage.or(() -> oldImage)
                .orElseThrow(() -> new IllegalArgumentException("a change event needs an old or a new image"));
        Map<String, AttributeValue> keys = new LinkedHashMap<>();
        keys.put(partitionKey, key(latest, partitionKey));
        keys.put(sortKey, key(latest, sortKey));
        clock = clock.plusMillis(1);
        return new ChangeEvent(type, Item.of(keys, "keys of " + latest.where()), oldImage, newImage, entityType(latest),
                SequenceNumber.of(nextSequence++), clock, oldImage.map(this::entityType).orElse(""));
    }

    private static Item image(Map<String, ?> item, String which) {
        Map<String, AttributeValue> attributes = new LinkedHashMap<>();
        item.forEach((k, v) -> attributes.put(k, AttributeValues.of(v)));
        return Item.of(attributes, which);
    }

    private AttributeValue key(Item image, String name) {
        AttributeValue v = image.asMap().get(name);
        if (v == null) {
            throw new IllegalArgumentException("the " + image.where() + " has no key attribute '" + name + "': " + image.asMap());
        }
        return v;
    }

    private String entityType(Item image) {
        AttributeValue v = image.asMap().get(entityTypeAttribute);
        return v != null && v.s() != null ? v.s() : "";
    }
}
