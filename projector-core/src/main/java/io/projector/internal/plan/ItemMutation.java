package io.projector.internal.plan;

import io.projector.AttributeValues;
import io.projector.ItemKey;
import io.projector.Write;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The net effect on one read-model item of a sequence of {@link Write}s, folded in order: what one
 * transaction action does. Folding keeps the exact semantics of applying the writes one by one
 * (counter deltas are summed, the last put or delete wins, sets after a put edit the put).
 */
public sealed interface ItemMutation permits ItemMutation.Replace, ItemMutation.Remove, ItemMutation.Update {

    ItemKey key();

    /** The item becomes exactly the key plus these attributes. */
    record Replace(ItemKey key, Map<String, AttributeValue> attributes) implements ItemMutation {
        public Replace {
            attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        }
    }

    /** The item is deleted. */
    record Remove(ItemKey key) implements ItemMutation {
    }

    /**
     * The item (created if missing) gets these attributes set, these numeric attributes added to,
     * and these attributes removed. The three name sets never overlap.
     */
    record Update(ItemKey key, Map<String, AttributeValue> sets, Map<String, BigDecimal> adds, Set<String> removes) implements ItemMutation {
        public Update {
            sets = Collections.unmodifiableMap(new LinkedHashMap<>(sets));
            adds = Collections.unmodifiableMap(new LinkedHashMap<>(adds));
            removes = Collections.unmodifiableSet(new LinkedHashSet<>(removes));
        }

        public Update(ItemKey key, Map<String, AttributeValue> sets, Map<String, BigDecimal> adds) {
            this(key, sets, adds, Set.of());
        }
    }

    static ItemMutation of(Write write) {
        if (write instanceof Write.Put p) {
            return new Replace(p.key(), p.attributes());
        }
        if (write instanceof Write.Delete d) {
            return new Remove(d.key());
        }
        if (write instanceof Write.Increment i) {
            return new Update(i.key(), Map.of(), i.deltas());
        }
        Write.SetAttributes s = (Write.SetAttributes) write;
        return new Update(s.key(), s.attributes(), Map.of(), s.removals());
    }

    /** This mutation followed by {@code next} (which must be for the same item). */
    default ItemMutation then(Write next) {
        if (!next.key().equals(key())) {
            throw new IllegalArgumentException("cannot fold a write of " + next.key() + " into " + key());
        }
        if (next instanceof Write.SetAttributes s) {
            return withSets(s.attributes()).withRemovals(s.removals());
        }
        if (next instanceof Write.Increment i) {
            return withAdds(i.deltas());
        }
        return of(next);
    }

    private ItemMutation withSets(Map<String, AttributeValue> values) {
        if (this instanceof Replace r) {
            return new Replace(key(), merged(r.attributes(), values));
        }
        if (this instanceof Remove) {
            return new Replace(key(), values);
        }
        Update u = (Update) this;
        Map<String, BigDecimal> adds = new LinkedHashMap<>(u.adds());
        adds.keySet().removeAll(values.keySet());
        Set<String> removes = new LinkedHashSet<>(u.removes());
        removes.removeAll(values.keySet());
        return new Update(key(), merged(u.sets(), values), adds, removes);
    }

    private ItemMutation withRemovals(Set<String> names) {
        if (names.isEmpty()) {
            return this;
        }
        if (this instanceof Replace r) {
            Map<String, AttributeValue> rest = new LinkedHashMap<>(r.attributes());
            rest.keySet().removeAll(names);
            return new Replace(key(), rest);
        }
        if (this instanceof Remove) {
            return this;
        }
        Update u = (Update) this;
        Map<String, AttributeValue> sets = new LinkedHashMap<>(u.sets());
        Map<String, BigDecimal> adds = new LinkedHashMap<>(u.adds());
        sets.keySet().removeAll(names);
        adds.keySet().removeAll(names);
        Set<String> removes = new LinkedHashSet<>(u.removes());
        removes.addAll(names);
        return new Update(key(), sets, adds, removes);
    }

    private ItemMutation withAdds(Map<String, BigDecimal> deltas) {
        if (this instanceof Replace r) {
            return new Replace(key(), added(r.attributes(), deltas));
        }
        if (this instanceof Remove) {
            return new Replace(key(), added(Map.of(), deltas));
        }
        Update u = (Update) this;
        Map<String, AttributeValue> sets = new LinkedHashMap<>(u.sets());
        Map<String, BigDecimal> adds = new LinkedHashMap<>(u.adds());
        Set<String> removes = new LinkedHashSet<>(u.removes());
        deltas.forEach((name, delta) -> {
            if (sets.containsKey(name)) {
                sets.put(name, plus(sets.get(name), name, delta));
            } else if (removes.remove(name)) {
                // Adding to a removed attribute starts from nothing; one expression cannot both REMOVE and ADD a path.
                sets.put(name, number(delta));
            } else {
                adds.merge(name, delta, BigDecimal::add);
            }
        });
        return new Update(key(), sets, adds, removes);
    }

    private Map<String, AttributeValue> added(Map<String, AttributeValue> attributes, Map<String, BigDecimal> deltas) {
        Map<String, AttributeValue> out = new LinkedHashMap<>(attributes);
        deltas.forEach((name, delta) -> out.put(name, out.containsKey(name) ? plus(out.get(name), name, delta) : number(delta)));
        return out;
    }

    private AttributeValue plus(AttributeValue current, String name, BigDecimal delta) {
        if (current.type() != AttributeValue.Type.N) {
            throw new IllegalArgumentException("cannot add " + delta + " to attribute '" + name + "' of " + key()
                    + ": it holds " + current.type() + ", not a number");
        }
        return number(new BigDecimal(current.n()).add(delta));
    }

    private static AttributeValue number(BigDecimal n) {
        return AttributeValue.fromN(AttributeValues.number(n).toPlainString());
    }

    private static Map<String, AttributeValue> merged(Map<String, AttributeValue> base, Map<String, AttributeValue> values) {
        Map<String, AttributeValue> out = new LinkedHashMap<>(base);
        out.putAll(values);
        return out;
    }
}
