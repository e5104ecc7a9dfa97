package io.projector.internal.plan;

import io.projector.AttributeValues;
import io.projector.ItemKey;
import io.projector.Write;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A read-model table held in memory, applying mutations with DynamoDB's semantics. It is the
 * oracle of the property tests, the store of the projection test kit, and the expected side of a
 * read-model verification.
 */
public final class InMemoryReadModel {

    private final Map<ItemKey, Map<String, AttributeValue>> items =
            new TreeMap<>((a, b) -> a.pk().equals(b.pk()) ? a.sk().compareTo(b.sk()) : a.pk().compareTo(b.pk()));

    public void apply(Write write) {
        apply(ItemMutation.of(write));
    }

    public void apply(ItemMutation mutation) {
        ItemKey key = mutation.key();
        if (mutation instanceof ItemMutation.Remove) {
            items.remove(key);
        } else if (mutation instanceof ItemMutation.Replace r) {
            items.put(key, normalized(r.attributes()));
        } else {
            ItemMutation.Update u = (ItemMutation.Update) mutation;
            Map<String, AttributeValue> item = items.computeIfAbsent(key, k -> new LinkedHashMap<>());
            item.putAll(normalized(u.sets()));
            u.removes().forEach(item::remove);
            u.adds().forEach((name, delta) -> {
                AttributeValue current = item.get(name);
                if (current != null && current.type() != AttributeValue.Type.N) {
                    throw new IllegalArgumentException("cannot add to attribute '" + name + "' of " + key + ": it is not a number");
                }
                BigDecimal base = current == null ? BigDecimal.ZERO : new BigDecimal(current.n());
                item.put(name, AttributeValue.fromN(AttributeValues.number(base.add(delta)).toPlainString()));
            });
        }
    }

    /** Every item, keyed and ordered by (PK, SK); attributes without the key attributes. */
    public Map<ItemKey, Map<String, AttributeValue>> items() {
        Map<ItemKey, Map<String, AttributeValue>> copy = new LinkedHashMap<>();
        items.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        return Collections.unmodifiableMap(copy);
    }

    public Map<String, AttributeValue> get(ItemKey key) {
        Map<String, AttributeValue> item = items.get(key);
        return item == null ? null : Collections.unmodifiableMap(item);
    }

    public int size() {
        return items.size();
    }

    /**
     * Numbers in a canonical form (DynamoDB stores 1.50 and 1.5 alike), so that two read models
     * compare equal when DynamoDB would hold the same items.
     */
    public static Map<String, AttributeValue> normalized(Map<String, AttributeValue> attributes) {
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        attributes.forEach((name, value) -> out.put(name, normalized(value)));
        return out;
    }

    static AttributeValue normalized(AttributeValue v) {
        return switch (v.type()) {
            case N -> AttributeValue.fromN(AttributeValues.number(new BigDecimal(v.n())).toPlainString());
            case NS -> AttributeValue.fromNs(v.ns().stream()
                    .map(n -> AttributeValues.number(new BigDecimal(n)).toPlainString()).sorted().toList());
            case SS -> AttributeValue.fromSs(v.ss().stream().sorted().toList());
            case L -> AttributeValue.fromL(v.l().stream().map(InMemoryReadModel::normalized).toList());
            case M -> AttributeValue.fromM(normalized(v.m()));
            default -> v;
        };
    }
}
