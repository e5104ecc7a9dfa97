package io.projector.runner.bench;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Write capacity units by DynamoDB's pricing rules, for where DynamoDB Local's own figure is not
 * AWS's: a standard write costs one unit per started KB of the item, a transactional write two.
 * Updates and deletes are costed by what the request carries (key and new values), a lower bound
 * when the stored item is larger; every read-model item of the reference domain is under 1 KB, so
 * here that is one unit (two in a transaction).
 */
final class WriteUnits {

    static final int KB = 1024;

    private WriteUnits() {
    }

    /** Units of one standard (non-transactional) write of an item of this many bytes. */
    static int standard(long itemBytes) {
        return (int) Math.max(1, (itemBytes + KB - 1) / KB);
    }

    /** Units of one write inside TransactWriteItems. */
    static int transactional(long itemBytes) {
        return 2 * standard(itemBytes);
    }

    /**
     * What an update carries, as the item it writes is sized here: its key and its values (named by
     * their placeholders without the colon), a lower bound when the stored item is larger.
     */
    static long updateBytes(Map<String, AttributeValue> key, Map<String, AttributeValue> expressionValues) {
        Map<String, AttributeValue> carried = new java.util.HashMap<>(key);
        if (expressionValues != null) {
            expressionValues.forEach((name, value) -> carried.put(name.substring(1), value));
        }
        return bytes(carried);
    }

    /** Attribute names plus values, as DynamoDB sizes items (numbers roughly: a byte per two digits, plus one). */
    static long bytes(Map<String, AttributeValue> attributes) {
        long total = 0;
        for (Map.Entry<String, AttributeValue> e : attributes.entrySet()) {
            total += utf8(e.getKey()) + bytes(e.getValue());
        }
        return total;
    }

    private static long bytes(AttributeValue v) {
        if (v.s() != null) {
            return utf8(v.s());
        }
        if (v.n() != null) {
            return 1 + (new BigDecimal(v.n()).precision() + 1) / 2;
        }
        if (v.hasM()) {
            return 3 + bytes(v.m()) + v.m().size();
        }
        if (v.hasL()) {
            return 3 + v.l().stream().mapToLong(x -> 1 + bytes(x)).sum();
        }
        if (v.hasSs()) {
            return 3 + v.ss().stream().mapToLong(WriteUnits::utf8).sum();
        }
        if (v.b() != null) {
            return v.b().asByteArrayUnsafe().length;
        }
        return 1;
    }

    private static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
