package io.projector;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A write a projection intends on one read-model item. Projections return these; the engine
 * coalesces them per item and commits them atomically with the projection's watermark.
 *
 * <pre>{@code
 * Write.put("CUSTOMER#" + id, "PROFILE").with("name", name).with("email", email)
 * Write.delete("CUSTOMER#" + id, "PROFILE")
 * Write.increment("STATS#ORDERS", "STATUS#PAID", "count", 1)
 * Write.set("TOPIC#t", "POST#p").with("title", title)
 * Write.set("TOPIC#t", "POST#p").without("title", "author")
 * }</pre>
 */
public sealed interface Write permits Write.Put, Write.Delete, Write.Increment, Write.SetAttributes {

    /** The read-model item this write touches. */
    ItemKey key();

    static Put put(String pk, String sk) {
        return new Put(ItemKey.of(pk, sk), Map.of());
    }

    static Put put(ItemKey key) {
        return new Put(key, Map.of());
    }

    static Delete delete(String pk, String sk) {
        return new Delete(ItemKey.of(pk, sk));
    }

    static Delete delete(ItemKey key) {
        return new Delete(key);
    }

    static Increment increment(String pk, String sk, String attribute, Number delta) {
        return new Increment(ItemKey.of(pk, sk), Map.of(attribute, AttributeValues.number(delta)));
    }

    static Increment increment(ItemKey key, String attribute, Number delta) {
        return new Increment(key, Map.of(attribute, AttributeValues.number(delta)));
    }

    static SetAttributes set(String pk, String sk) {
        return new SetAttributes(ItemKey.of(pk, sk), Map.of());
    }

    static SetAttributes set(ItemKey key) {
        return new SetAttributes(key, Map.of());
    }

    /** Replaces the whole item with the key and these attributes. */
    record Put(ItemKey key, Map<String, AttributeValue> attributes) implements Write {
        public Put {
            Objects.requireNonNull(key, "key");
            attributes = checkedAttributes(attributes);
        }

        /** A copy with one more attribute; see {@link AttributeValues#of} for the Java types accepted. */
        public Put with(String name, Object value) {
            return new Put(key, plus(attributes, name, AttributeValues.of(value)));
        }

        /** A copy with the attribute only when the value is not null. */
        public Put withIfPresent(String name, Object value) {
            return value == null ? this : with(name, value);
        }
    }

    /** Deletes the item; deleting a missing item is not an error. */
    record Delete(ItemKey key) implements Write {
        public Delete {
            Objects.requireNonNull(key, "key");
        }
    }

    /** Adds deltas to numeric attributes, creating the item or attribute (from 0) when missing. */
    record Increment(ItemKey key, Map<String, BigDecimal> deltas) implements Write {
        public Increment {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(deltas, "deltas");
            if (deltas.isEmpty()) {
                throw new IllegalArgumentException("an increment of " + key + " needs at least one attribute");
            }
            deltas.keySet().forEach(Write::checkName);
            deltas = Collections.unmodifiableMap(new LinkedHashMap<>(deltas));
        }

        public Increment and(String attribute, Number delta) {
            Map<String, BigDecimal> m = new LinkedHashMap<>(deltas);
            m.merge(attribute, AttributeValues.number(delta), BigDecimal::add);
            return new Increment(key, m);
        }
    }

    /**
     * Sets some attributes and removes others, keeping the rest; creates the item when missing
     * (as DynamoDB's UpdateItem does).
     */
    record SetAttributes(ItemKey key, Map<String, AttributeValue> attributes, Set<String> removals) implements Write {
        public SetAttributes {
            Objects.requireNonNull(key, "key");
            attributes = checkedAttributes(attributes);
            Objects.requireNonNull(removals, "removals");
            removals.forEach(Write::checkName);
            for (String name : removals) {
                if (attributes.containsKey(name)) {
                    throw new IllegalArgumentException("attribute '" + name + "' of " + key + " is both set and removed");
                }
            }
            removals = Collections.unmodifiableSet(new LinkedHashSet<>(removals));
        }

        public SetAttributes(ItemKey key, Map<String, AttributeValue> attributes) {
            this(key, attributes, Set.of());
        }

        public SetAttributes with(String name, Object value) {
            Set<String> rest = new LinkedHashSet<>(removals);
            rest.remove(name);
            return new SetAttributes(key, plus(attributes, name, AttributeValues.of(value)), rest);
        }

        /** A copy that also removes these attributes. */
        public SetAttributes without(String... names) {
            Map<String, AttributeValue> rest = new LinkedHashMap<>(attributes);
            Set<String> gone = new LinkedHashSet<>(removals);
            for (String name : names) {
                rest.remove(name);
                gone.add(name);
            }
            return new SetAttributes(key, rest, gone);
        }
    }

    /** Attribute names the engine keeps on read-model items; a projection's writes may not use them. */
    String RESERVED_PREFIX = "projector:";

    private static Map<String, AttributeValue> checkedAttributes(Map<String, AttributeValue> attributes) {
        Objects.requireNonNull(attributes, "attributes");
        attributes.forEach((name, value) -> {
            checkName(name);
            Objects.requireNonNull(value, () -> "attribute '" + name + "' has no value");
        });
        return Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("attribute names must not be empty");
        }
        if (name.equals(ItemKey.PARTITION_KEY) || name.equals(ItemKey.SORT_KEY)) {
            throw new IllegalArgumentException("'" + name + "' is the read-model key: give it through the ItemKey, not as an attribute");
        }
        if (name.startsWith(RESERVED_PREFIX)) {
            throw new IllegalArgumentException("attribute '" + name + "': names starting with '" + RESERVED_PREFIX
                    + "' are the engine's (the guarded commit keeps its positions and markers there); choose another name");
        }
    }

    private static Map<String, AttributeValue> plus(Map<String, AttributeValue> attributes, String name, AttributeValue value) {
        Map<String, AttributeValue> m = new LinkedHashMap<>(attributes);
        m.put(name, value);
        return m;
    }
}
