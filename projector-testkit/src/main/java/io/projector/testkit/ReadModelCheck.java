package io.projector.testkit;

import io.projector.AttributeValues;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.ops.Recomputation;
import io.projector.ops.VerificationResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Compares a test kit's read model with what the projections recompute from the final source
 * items, each seen as an INSERT: the check {@code projector verify} runs against real tables, by
 * the same rule (zero counters and NULL attributes count as absent). A projection whose read model
 * depends on the order of changes, or that leaves behind what a recomputation would not make,
 * fails it.
 *
 * <pre>{@code
 * ReadModelCheck check = ReadModelCheck.of(projection);
 * assertThat(ReadModelCheck.comparable(kit.items())).isEqualTo(check.recomputed(finalSourceItems));
 * }</pre>
 */
public final class ReadModelCheck {

    private final Recomputation recomputation;

    private ReadModelCheck(List<Projection> projections, String entityTypeAttribute) {
        this.recomputation = new Recomputation(projections, entityTypeAttribute);
    }

    /** Source items with the entity type in {@code type}. */
    public static ReadModelCheck of(Projection... projections) {
        return new ReadModelCheck(List.of(projections), "type");
    }

    public static ReadModelCheck of(List<? extends Projection> projections, String entityTypeAttribute) {
        return new ReadModelCheck(List.copyOf(projections), entityTypeAttribute);
    }

    /** The read model recomputed from these source items (values as in {@link AttributeValues#of}), in comparable form. */
    public Map<ItemKey, Map<String, AttributeValue>> recomputed(Collection<? extends Map<String, ?>> sourceItems) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (Map<String, ?> item : sourceItems) {
            Map<String, AttributeValue> attributes = new LinkedHashMap<>();
            item.forEach((k, v) -> attributes.put(k, AttributeValues.of(v)));
            items.add(attributes);
        }
        return recomputation.readModel(items);
    }

    /** Read-model items, as {@link ProjectionTestKit#items()} gives them, in comparable form. */
    public static Map<ItemKey, Map<String, AttributeValue>> comparable(Map<ItemKey, Item> readModel) {
        Map<ItemKey, Map<String, AttributeValue>> items = new LinkedHashMap<>();
        readModel.forEach((k, v) -> items.put(k, v.asMap()));
        return Recomputation.comparable(items);
    }

    /** The verdict, with one line per item missing, unexpected or different. */
    public VerificationResult compare(Map<ItemKey, Item> readModel, Collection<? extends Map<String, ?>> sourceItems) {
        return Recomputation.compare(recomputed(sourceItems), comparable(readModel));
    }
}
