package io.projector.ops;

import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.internal.guard.GuardedRequests;
import io.projector.internal.plan.EngineKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Checks a read model against a recomputation from the source table's current state: every source
 * item is projected as if it had just been inserted, and the result must equal the read-model
 * table (engine items under {@code PROJECTOR#} aside), by the rule {@link Recomputation} states.
 */
public final class ReadModelVerifier {

    private final DynamoDbClient dynamo;
    private final Recomputation recomputation;

    public ReadModelVerifier(DynamoDbClient dynamo, List<Projection> projections, String entityTypeAttribute) {
        this.dynamo = dynamo;
        this.recomputation = new Recomputation(projections, entityTypeAttribute);
    }

    public VerificationResult verify(String sourceTable, String readModelTable) {
        return verify(List.of(sourceTable), readModelTable);
    }

    /** The same check for a read model that several source tables feed (one worker per table). */
    public VerificationResult verify(List<String> sourceTables, String readModelTable) {
        List<Map<String, AttributeValue>> sourceItems = new ArrayList<>();
        sourceTables.forEach(t -> sourceItems.addAll(scan(t)));
        Map<ItemKey, Map<String, AttributeValue>> expected = recomputation.readModel(sourceItems);
        Map<ItemKey, Map<String, AttributeValue>> actual = new LinkedHashMap<>();
        for (Map<String, AttributeValue> item : scan(readModelTable)) {
            ItemKey key = ItemKey.of(item.get(ItemKey.PARTITION_KEY).s(), item.get(ItemKey.SORT_KEY).s());
            if (key.pk().startsWith(EngineKeys.RESERVED_PREFIX) || GuardedRequests.isTombstone(item)) {
                continue;
            }
            Map<String, AttributeValue> attributes = new LinkedHashMap<>(item);
            // The guarded commit's own attributes (positions, markers) are not the projection's.
            attributes.keySet().removeIf(name -> name.startsWith(GuardedRequests.PREFIX));
            attributes.remove(ItemKey.PARTITION_KEY);
            attributes.remove(ItemKey.SORT_KEY);
            actual.put(key, attributes);
        }
        return Recomputation.compare(expected, Recomputation.comparable(actual));
    }

    private List<Map<String, AttributeValue>> scan(String table) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        dynamo.scanPaginator(ScanRequest.builder().tableName(table).consistentRead(true).build())
                .items().forEach(items::add);
        return items;
    }
}
