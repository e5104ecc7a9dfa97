package io.projector.verify;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.SequenceNumber;
import io.projector.internal.Chunk;
import io.projector.internal.ChunkPlanner;
import io.projector.internal.EngineKeys;
import io.projector.internal.InMemoryReadModel;
import io.projector.internal.TransactionLimits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Checks a read model against a recomputation from the source table's current state: every source
 * item is projected as if it had just been inserted, and the result must equal the read-model
 * table (engine items under {@code PROJECTOR#} aside).
 *
 * <p>A counter that went up and back down to zero leaves an attribute holding 0 where the
 * recomputation has none, and a projection that cannot delete an item (it holds a counter others
 * feed) marks attributes gone with NULL; so numeric attributes equal to 0 and NULL attributes
 * count as absent, and an item left with no attributes counts as no item.
 */
public final class ReadModelVerifier {

    private final DynamoDbClient dynamo;
    private final List<Projection> projections;
    private final String entityTypeAttribute;

    public ReadModelVerifier(DynamoDbClient dynamo, List<Projection> projections, String entityTypeAttribute) {
        this.dynamo = dynamo;
        this.projections = List.copyOf(projections);
        this.entityTypeAttribute = entityTypeAttribute;
    }

    public VerificationResult verify(String sourceTable, String readModelTable) {
        return verify(List.of(sourceTable), readModelTable);
    }

    /** The same check for a read model that several source tables feed (one worker per table). */
    public VerificationResult verify(List<String> sourceTables, String readModelTable) {
        List<Map<String, AttributeValue>> sourceItems = new ArrayList<>();
        sourceTables.forEach(t -> sourceItems.addAll(scan(t)));
        Map<ItemKey, Map<String, AttributeValue>> expected = comparable(recompute(sourceItems));
        Map<ItemKey, Map<String, AttributeValue>> actual = new LinkedHashMap<>();
        for (Map<String, AttributeValue> item : scan(readModelTable)) {
            ItemKey key = ItemKey.of(item.get(ItemKey.PARTITION_KEY).s(), item.get(ItemKey.SORT_KEY).s());
            if (key.pk().startsWith(EngineKeys.RESERVED_PREFIX)) {
                continue;
            }
            Map<String, AttributeValue> attributes = new LinkedHashMap<>(item);
            attributes.remove(ItemKey.PARTITION_KEY);
            attributes.remove(ItemKey.SORT_KEY);
            actual.put(key, attributes);
        }
        actual = comparable(actual);
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

    /** The read model these projections make from these source items, each seen as an INSERT. */
    public InMemoryReadModel recompute(List<Map<String, AttributeValue>> sourceItems) {
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
        return model;
    }

    private List<Map<String, AttributeValue>> scan(String table) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        dynamo.scanPaginator(ScanRequest.builder().tableName(table).consistentRead(true).build())
                .items().forEach(items::add);
        return items;
    }

    private static Map<ItemKey, Map<String, AttributeValue>> comparable(InMemoryReadModel model) {
        return comparable(model.items());
    }

    private static Map<ItemKey, Map<String, AttributeValue>> comparable(Map<ItemKey, Map<String, AttributeValue>> items) {
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
}
