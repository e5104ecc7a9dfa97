package io.projector.ops;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.SequenceNumber;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.InMemoryReadModel;
import io.projector.internal.plan.TransactionLimits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The pure half of a read-model verification, with no client: the read model projections make
 * from source items (each seen as an INSERT, through the engine's own planner), and the rule by
 * which two read models are compared. {@link ReadModelVerifier} feeds it scans of real tables;
 * the test kit feeds it the kit's read model.
 *
 * <p>A counter that went up and back down to zero leaves an attribute holding 0 where the
 * recomputation has none, and a projection that cannot delete an item (it holds a counter others
 * feed) marks attributes gone with NULL; so numeric attributes equal to 0 and NULL attributes
 * count as absent, and an item left with no attributes counts as no item.
 */
public final class Recomputation {

    private final List<Projection> projections;
    private final String entityTypeAttribute;

    public Recomputation(List<Projection> projections, String entityTypeAttribute) {
        this.projections = List.copyOf(projections);
        this.entityTypeAttribute = entityTypeAttribute;
    }

    /** The read model these projections make from these source items, in the form {@link #compare} takes. */
    public Map<ItemKey, Map<String, AttributeValue>> readModel(Collection<Map<String, AttributeValue>> sourceItems) {
        ChunkPlanner planner = new ChunkPlanner(projections, TransactionLimits.DYNAMODB);
        InMemoryReadModel model = new InMemoryReadModel();
        List<ChangeEvent> events = new ArrayList<>(sourceItems.size());
        long seq = 1;
        for (Map<String, AttributeValue> item : sourceItems) {
            AttributeValue type = item.get(entityTypeAttribute);
            Item image = Item.of(item, "source item");
            events.add(new ChangeEvent(ChangeType.INSERT, image, Optional.empty(), Optional.of(image),
                    type != null && type.s() != null ? type.s() : "", SequenceNumber.of(seq++), Instant.EPOCH));
        }
        for (Chunk chunk : planner.plan(events, Map.of())) {
            chunk.mutations().values().forEach(model::apply);
        }
        return comparable(model.items());
    }

    /** Read-model items (attributes without the key attributes) in the form {@link #compare} takes. */
    public static Map<ItemKey, Map<String, AttributeValue>> comparable(Map<ItemKey, Map<String, AttributeValue>> items) {
        Map<ItemKey, Map<String, AttributeValue>> out = new LinkedHashMap<>();
        items.forEach((key, attributes) -> {
            Map<String, AttributeValue> normalized = InMemoryReadModel.normalized(attributes);
            normalized.values().removeIf(v -> "0".equals(v.n()) || Boolean.TRUE.equals(v.nul()));
            if (!normalized.isEmpty()) {
                out.put(key, normalized);
            }
        });
        return out;
    }

    /** One line per item missing, unexpected or different; both sides as {@link #comparable} gives them. */
    public static VerificationResult compare(Map<ItemKey, Map<String, AttributeValue>> expected,
                                             Map<ItemKey, Map<String, AttributeValue>> actual) {
        List<String> differences = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>();
        expected.keySet().forEach(k -> keys.add(k.toString()));
        actual.keySet().forEach(k -> keys.add(k.toString()));
        Map<String, ItemKey> byText = new LinkedHashMap<>();
        expected.keySet().forEach(k -> byText.put(k.toString(), k));
        actual.keySet().forEach(k -> byText.put(k.toString(), k));
        for (String text : keys) {
            ItemKey k = byText.get(text);
            Map<String, AttributeValue> e = expected.get(k);
            Map<String, AttributeValue> a = actual.get(k);
            if (e == null) {
                differences.add("unexpected item " + k + ": " + a);
            } else if (a == null) {
                differences.add("missing item " + k + ": " + e);
            } else if (!e.equals(a)) {
                differences.add("item " + k + " differs: expected " + e + ", found " + a);
            }
        }
        return new VerificationResult(expected.size(), actual.size(), differences);
    }
}
