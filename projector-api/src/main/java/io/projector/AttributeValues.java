package io.projector;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Converts plain Java values into DynamoDB attribute values, so projections can write {@code with("total", total)}. */
public final class AttributeValues {

    private AttributeValues() {
    }

    /**
     * String, Number, Boolean, byte[]/SdkBytes, Map (nested), List, Set of String or Number, and
     * AttributeValue as it is; null becomes NULL.
     */
    public static AttributeValue of(Object value) {
        if (value == null) {
            return AttributeValue.fromNul(true);
        }
        if (value instanceof AttributeValue av) {
            return av;
        }
        if (value instanceof String s) {
            return AttributeValue.fromS(s);
        }
        if (value instanceof BigDecimal d) {
            return AttributeValue.fromN(d.toPlainString());
        }
        if (value instanceof Number n) {
            return AttributeValue.fromN(number(n).toPlainString());
        }
        if (value instanceof Boolean b) {
            return AttributeValue.fromBool(b);
        }
        if (value instanceof byte[] bytes) {
            return AttributeValue.fromB(SdkBytes.fromByteArray(bytes));
        }
        if (value instanceof SdkBytes bytes) {
            return AttributeValue.fromB(bytes);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, AttributeValue> m = new LinkedHashMap<>();
            map.forEach((k, v) -> m.put(String.valueOf(k), of(v)));
            return AttributeValue.fromM(m);
        }
        if (value instanceof Set<?> set && !set.isEmpty() && set.stream().allMatch(String.class::isInstance)) {
            return AttributeValue.fromSs(set.stream().map(String.class::cast).toList());
        }
        if (value instanceof Set<?> set && !set.isEmpty() && set.stream().allMatch(Number.class::isInstance)) {
            return AttributeValue.fromNs(set.stream().map(n -> number((Number) n).toPlainString()).toList());
        }
        if (value instanceof Collection<?> c) {
            List<AttributeValue> l = c.stream().map(AttributeValues::of).toList();
            return AttributeValue.fromL(l);
        }
        throw new IllegalArgumentException("cannot store a " + value.getClass().getName() + " as a DynamoDB attribute: " + value);
    }

    /** A number as DynamoDB would store it, with trailing zeros gone, so equal numbers compare equal. */
    public static BigDecimal number(Number n) {
        BigDecimal d = n instanceof BigDecimal bd ? bd : new BigDecimal(n.toString());
        return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
    }
}
