package io.projector.internal.guard;

import io.projector.internal.plan.ItemMutation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An {@link ItemMutation.Update} as DynamoDB's UpdateExpression, every attribute name and value a
 * placeholder ({@code #a0}, {@code :v0}) so that any name a projection uses is safe, plus the
 * engine's own attributes to set in the same request.
 */
public record UpdateExpression(String expression, Map<String, String> names, Map<String, AttributeValue> values) {

    public static UpdateExpression of(ItemMutation.Update update, Map<String, AttributeValue> engineSets) {
        return of(update, engineSets, Set.of());
    }

    /** @param engineRemoves engine attributes to remove in the same request (pruned markers) */
    public static UpdateExpression of(ItemMutation.Update update, Map<String, AttributeValue> engineSets, Set<String> engineRemoves) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> sets = new ArrayList<>();
        List<String> adds = new ArrayList<>();
        List<String> removes = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, AttributeValue> e : engineSets.entrySet()) {
            names.put("#e" + i, e.getKey());
            values.put(":e" + i, e.getValue());
            sets.add("#e" + i + " = :e" + i);
            i++;
        }
        for (String name : engineRemoves) {
            names.put("#e" + i, name);
            removes.add("#e" + i);
            i++;
        }
        i = 0;
        for (Map.Entry<String, AttributeValue> e : update.sets().entrySet()) {
            names.put("#a" + i, e.getKey());
            values.put(":v" + i, e.getValue());
            sets.add("#a" + i + " = :v" + i);
            i++;
        }
        for (Map.Entry<String, BigDecimal> e : update.adds().entrySet()) {
            names.put("#a" + i, e.getKey());
            values.put(":v" + i, AttributeValue.fromN(e.getValue().toPlainString()));
            adds.add("#a" + i + " :v" + i);
            i++;
        }
        for (String name : update.removes()) {
            names.put("#a" + i, name);
            removes.add("#a" + i);
            i++;
        }
        List<String> clauses = new ArrayList<>();
        if (!sets.isEmpty()) {
            clauses.add("SET " + String.join(", ", sets));
        }
        if (!adds.isEmpty()) {
            clauses.add("ADD " + String.join(", ", adds));
        }
        if (!removes.isEmpty()) {
            clauses.add("REMOVE " + String.join(", ", removes));
        }
        return new UpdateExpression(String.join(" ", clauses), Map.copyOf(names), Map.copyOf(values));
    }
}
