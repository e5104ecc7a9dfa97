package io.projector;

import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The key of a read-model item. The read-model table has a string partition key {@code PK} and a
 * string sort key {@code SK}, the single-table convention of the reference domain.
 */
public record ItemKey(String pk, String sk) {

    public static final String PARTITION_KEY = "PK";
    public static final String SORT_KEY = "SK";

    public ItemKey {
        Objects.requireNonNull(pk, "pk");
        Objects.requireNonNull(sk, "sk");
        if (pk.isEmpty() || sk.isEmpty()) {
            throw new IllegalArgumentException("read-model key parts must not be empty: PK='" + pk + "', SK='" + sk + "'");
        }
    }

    public static ItemKey of(String pk, String sk) {
        return new ItemKey(pk, sk);
    }

    /** The key as DynamoDB attributes. */
    public Map<String, AttributeValue> toAttributes() {
        return Map.of(PARTITION_KEY, AttributeValue.fromS(pk), SORT_KEY, AttributeValue.fromS(sk));
    }

    @Override
    public String toString() {
        return pk + " | " + sk;
    }
}
