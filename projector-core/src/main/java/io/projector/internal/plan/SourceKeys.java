package io.projector.internal.plan;

import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A source item's key as one stable string, e.g. {@code PK=ORDER#1|SK=ORDER}. */
public final class SourceKeys {

    private SourceKeys() {
    }

    public static String of(Map<String, AttributeValue> keys) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(keys).forEach((name, v) -> {
            if (b.length() > 0) {
                b.append('|');
            }
            b.append(name).append('=').append(v.s() != null ? v.s() : v.n() != null ? v.n() : String.valueOf(v));
        });
        return b.toString();
    }
}
