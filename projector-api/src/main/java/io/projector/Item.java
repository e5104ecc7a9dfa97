package io.projector;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A read-only, typed view of a DynamoDB item (a stream image or a key). A getter for an attribute
 * that is missing or of another type throws an {@link ItemAttributeException} that names the
 * attribute, the type found and where the item came from.
 */
public final class Item {

    private final Map<String, AttributeValue> attributes;
    private final String where;

    private Item(Map<String, AttributeValue> attributes, String where) {
        this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        this.where = where;
    }

    /** @param where how error messages describe this item, e.g. "new image of ORDER#1 | ORDER" */
    public static Item of(Map<String, AttributeValue> attributes, String where) {
        return new Item(Objects.requireNonNull(attributes, "attributes"), Objects.requireNonNull(where, "where"));
    }

    public static Item of(Map<String, AttributeValue> attributes) {
        return of(attributes, "item");
    }

    public Map<String, AttributeValue> asMap() {
        return attributes;
    }

    /** Where this item came from, as error messages name it, e.g. "new image of ORDER#1 | ORDER". */
    public String where() {
        return where;
    }

    public boolean has(String name) {
        AttributeValue v = attributes.get(name);
        return v != null && !Boolean.TRUE.equals(v.nul());
    }

    public String string(String name) {
        return require(name, AttributeValue.Type.S).s();
    }

    public Optional<String> optString(String name) {
        return has(name) ? Optional.of(string(name)) : Optional.empty();
    }

    public BigDecimal number(String name) {
        String n = require(name, AttributeValue.Type.N).n();
        try {
            return new BigDecimal(n);
        } catch (NumberFormatException e) {
            throw new ItemAttributeException(describe(name) + " is not a valid number: '" + n + "'");
        }
    }

    public Optional<BigDecimal> optNumber(String name) {
        return has(name) ? Optional.of(number(name)) : Optional.empty();
    }

    public long longValue(String name) {
        BigDecimal n = number(name);
        try {
            return n.longValueExact();
        } catch (ArithmeticException e) {
            throw new ItemAttributeException(describe(name) + " = " + n + " does not fit a whole 64-bit number");
        }
    }

    public int intValue(String name) {
        long n = longValue(name);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new ItemAttributeException(describe(name) + " = " + n + " does not fit a 32-bit number");
        }
        return (int) n;
    }

    public boolean bool(String name) {
        return require(name, AttributeValue.Type.BOOL).bool();
    }

    public SdkBytes binary(String name) {
        return require(name, AttributeValue.Type.B).b();
    }

    public List<AttributeValue> list(String name) {
        return require(name, AttributeValue.Type.L).l();
    }

    public Item map(String name) {
        return new Item(require(name, AttributeValue.Type.M).m(), "'" + name + "' of " + where);
    }

    public Set<String> stringSet(String name) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(require(name, AttributeValue.Type.SS).ss()));
    }

    public Set<BigDecimal> numberSet(String name) {
        Set<BigDecimal> out = new LinkedHashSet<>();
        for (String n : require(name, AttributeValue.Type.NS).ns()) {
            try {
                out.add(new BigDecimal(n));
            } catch (NumberFormatException e) {
                throw new ItemAttributeException(describe(name) + " holds '" + n + "', which is not a valid number");
            }
        }
        return Collections.unmodifiableSet(out);
    }

    private AttributeValue require(String name, AttributeValue.Type expected) {
        AttributeValue v = attributes.get(name);
        if (v == null) {
            throw new ItemAttributeException(describe(name) + " is missing");
        }
        AttributeValue.Type actual = v.type();
        if (actual != expected) {
            throw new ItemAttributeException(describe(name) + " is " + typeName(actual) + ", expected " + typeName(expected));
        }
        return v;
    }

    private String describe(String name) {
        return "attribute '" + name + "' of " + where;
    }

    private static String typeName(AttributeValue.Type t) {
        return switch (t) {
            case S -> "a string (S)";
            case N -> "a number (N)";
            case B -> "binary (B)";
            case BOOL -> "a boolean (BOOL)";
            case NUL -> "null (NULL)";
            case L -> "a list (L)";
            case M -> "a map (M)";
            case SS -> "a string set (SS)";
            case NS -> "a number set (NS)";
            case BS -> "a binary set (BS)";
            default -> "of an unknown type";
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Item other && attributes.equals(other.attributes);
    }

    @Override
    public int hashCode() {
        return attributes.hashCode();
    }

    @Override
    public String toString() {
        return where + " " + attributes;
    }
}
