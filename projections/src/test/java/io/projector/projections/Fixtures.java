package io.projector.projections;

import io.projector.AttributeValues;
import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.SequenceNumber;
import io.projector.internal.InMemoryReadModel;
import io.projector.verify.ReadModelVerifier;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Source items of the reference domains, and the read model a recomputation from the source gives. */
final class Fixtures {

    private static final AtomicLong SEQUENCE = new AtomicLong(1);

    private Fixtures() {
    }

    static Map<String, Object> post(String topic, String postId, String title, String author) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("PK", "TOPIC#" + topic);
        m.put("SK", "POST#" + postId);
        m.put("type", "Post");
        m.put("title", title);
        m.put("author", author);
        m.put("createdAt", "2024-05-01T10:00:00Z");
        return m;
    }

    static Map<String, Object> like(String userId, String postId, String topic, String likedAt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("PK", "USER#" + userId);
        m.put("SK", "LIKE#" + postId);
        m.put("type", "Like");
        m.put("topic", topic);
        m.put("likedAt", likedAt);
        return m;
    }

    static Map<String, Object> order(String id, String customerId, String status, int total) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("PK", "ORDER#" + id);
        m.put("SK", "ORDER");
        m.put("type", "Order");
        m.put("customerId", customerId);
        m.put("orderDate", "2024-03-05");
        m.put("status", status);
        m.put("total", total);
        return m;
    }

    static Map<String, AttributeValue> attributes(Map<String, ?> item) {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        item.forEach((k, v) -> out.put(k, AttributeValues.of(v)));
        return out;
    }

    static Item image(Map<String, ?> item) {
        return Item.of(attributes(item), "image of " + item.get("PK") + " | " + item.get("SK"));
    }

    /** A hand-made stream event, for what the kit's put/delete cannot express or to call a projection directly. */
    static ChangeEvent event(ChangeType type, Map<String, ?> old, Map<String, ?> now) {
        Optional<Item> oldImage = Optional.ofNullable(old).map(Fixtures::image);
        Optional<Item> newImage = Optional.ofNullable(now).map(Fixtures::image);
        Item latest = newImage.or(() -> oldImage).orElseThrow();
        Item keys = Item.of(Map.of("PK", latest.asMap().get("PK"), "SK", latest.asMap().get("SK")));
        return new ChangeEvent(type, keys, oldImage, newImage, latest.string("type"),
                SequenceNumber.of(SEQUENCE.getAndIncrement()), Instant.parse("2024-01-01T00:00:00Z"));
    }

    /** What {@link ReadModelVerifier} recomputes from these source items (each seen as an INSERT), as it compares it. */
    static Map<ItemKey, Map<String, AttributeValue>> recomputed(List<Projection> projections, Collection<? extends Map<String, ?>> source) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        source.forEach(i -> items.add(attributes(i)));
        InMemoryReadModel model = new ReadModelVerifier(null, projections, "type").recompute(items);
        Map<ItemKey, Map<String, AttributeValue>> out = new LinkedHashMap<>();
        model.items().forEach((k, v) -> out.put(k, v));
        return comparable(out, false);
    }

    /** Read-model items (e.g. a test kit's) as the verifier compares them. */
    static Map<ItemKey, Map<String, AttributeValue>> comparable(Map<ItemKey, Item> items) {
        Map<ItemKey, Map<String, AttributeValue>> out = new LinkedHashMap<>();
        items.forEach((k, v) -> out.put(k, v.asMap()));
        return comparable(out, false);
    }

    /** As the verifier compares them, and also without NULL attributes (the tombstone of a deleted post). */
    static Map<ItemKey, Map<String, AttributeValue>> comparableWithoutNulls(Map<ItemKey, Item> items) {
        Map<ItemKey, Map<String, AttributeValue>> out = new LinkedHashMap<>();
        items.forEach((k, v) -> out.put(k, v.asMap()));
        return comparable(out, true);
    }

    /** The verifier's rule: numbers equal to 0 count as absent, and an item with no attributes left as no item. */
    private static Map<ItemKey, Map<String, AttributeValue>> comparable(Map<ItemKey, Map<String, AttributeValue>> items, boolean dropNulls) {
        Map<ItemKey, Map<String, AttributeValue>> out = new LinkedHashMap<>();
        items.forEach((key, attributes) -> {
            Map<String, AttributeValue> normalized = InMemoryReadModel.normalized(attributes);
            normalized.values().removeIf(v -> v.n() != null && new BigDecimal(v.n()).signum() == 0);
            if (dropNulls) {
                normalized.values().removeIf(v -> Boolean.TRUE.equals(v.nul()));
            }
            if (!normalized.isEmpty()) {
                out.put(key, normalized);
            }
        });
        return out;
    }
}
