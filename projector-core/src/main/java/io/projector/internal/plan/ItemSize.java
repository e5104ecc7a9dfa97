package io.projector.internal.plan;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Estimates the size of items the way DynamoDB counts them (attribute names plus values), so that
 * chunks can be cut before a transaction passes its 4 MB limit. It over-estimates numbers and
 * nesting slightly, which errs on the safe side.
 */
public final class ItemSize {

    private ItemSize() {
    }

    public static long of(Map<String, AttributeValue> attributes) {
        long total = 0;
        for (Map.Entry<String, AttributeValue> e : attributes.entrySet()) {
            total += utf8Length(e.getKey()) + of(e.getValue());
        }
        return total;
    }

    public static long of(AttributeValue v) {
        return switch (v.type()) {
            case S -> utf8Length(v.s());
            case N -> 1 + (v.n().length() + 1) / 2 + 1;
            case B -> v.b().asByteArrayUnsafe().length;
            case BOOL, NUL -> 1;
            case SS -> v.ss().stream().mapToLong(ItemSize::utf8Length).sum() + 3;
            case NS -> v.ns().stream().mapToLong(n -> 2 + (n.length() + 1) / 2).sum() + 3;
            case BS -> v.bs().stream().mapToLong(b -> b.asByteArrayUnsafe().length).sum() + 3;
            case L -> 3 + v.l().stream().mapToLong(x -> 1 + of(x)).sum();
            case M -> 3 + v.m().entrySet().stream().mapToLong(x -> 1 + utf8Length(x.getKey()) + of(x.getValue())).sum();
            default -> 1;
        };
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
