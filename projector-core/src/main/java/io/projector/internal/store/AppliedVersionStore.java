package io.projector.internal.store;

import io.projector.ItemKey;
import io.projector.internal.plan.AppliedVersion;
import io.projector.internal.plan.EngineItemSizes;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.plan.MarkerKey;
import io.projector.internal.plan.MarkerWrite;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;

/**
 * The applied-version markers of hand-offs, in the read-model table: PK
 * {@code PROJECTOR#<application>#APPLIED#<projection>#<2 hex digits>} ({@link EngineKeys}) (256 partitions per projection), SK the
 * SHA-256 of the source key (source keys can be longer than a sort key may be). They carry an
 * {@code expiresAt} (epoch seconds, 30 days on) for a TTL to sweep them after the hand-off.
 */
public final class AppliedVersionStore {

    /** A marker's size, as the planner counts it against the transaction byte limit. */
    static final long ITEM_BYTES = EngineItemSizes.MARKER_BYTES;
    private static final long RETENTION_SECONDS = 30L * 24 * 3600;

    private final DynamoDbClient dynamo;
    private final String table;
    private final EngineKeys keys;

    public AppliedVersionStore(DynamoDbClient dynamo, String table, EngineKeys keys) {
        this.dynamo = dynamo;
        this.table = table;
        this.keys = keys;
    }

    public ItemKey key(MarkerKey marker) {
        String hash = sha256(marker.sourceKey());
        return ItemKey.of(keys.appliedPartition(marker.projection(), hash.substring(0, 2)), hash);
    }

    /** Consistent reads of these markers; absent ones are not in the result. */
    public Map<MarkerKey, AppliedVersion> load(Collection<MarkerKey> markers) {
        Map<MarkerKey, AppliedVersion> out = new HashMap<>();
        Map<ItemKey, MarkerKey> byKey = new HashMap<>();
        for (MarkerKey m : markers) {
            byKey.put(key(m), m);
        }
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        byKey.keySet().forEach(k -> keys.add(k.toAttributes()));
        for (Map<String, AttributeValue> item : ConsistentBatchGet.items(dynamo, table, keys)) {
            ItemKey k = ItemKey.of(item.get(ItemKey.PARTITION_KEY).s(), item.get(ItemKey.SORT_KEY).s());
            out.put(byKey.get(k), new AppliedVersion(new BigDecimal(item.get("version").n()), Boolean.TRUE.equals(item.get("gone").bool())));
        }
        return out;
    }

    /** The transaction action that moves a marker, conditioned on it being what the plan saw. */
    public Put put(MarkerWrite write, long nowMillis) {
        Map<String, AttributeValue> item = new HashMap<>(key(write.key()).toAttributes());
        item.put("version", AttributeValue.fromN(write.next().version().toPlainString()));
        item.put("gone", AttributeValue.fromBool(write.next().gone()));
        item.put("expiresAt", AttributeValue.fromN(Long.toString(nowMillis / 1000 + RETENTION_SECONDS)));
        if (write.key().sourceKey().length() <= 1024) {
            item.put("sourceKey", AttributeValue.fromS(write.key().sourceKey()));
        }
        Put.Builder put = Put.builder().tableName(table).item(item);
        if (write.expected() == null) {
            return put.conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", ItemKey.PARTITION_KEY)).build();
        }
        return put.conditionExpression("#v = :v AND #g = :g")
                .expressionAttributeNames(Map.of("#v", "version", "#g", "gone"))
                .expressionAttributeValues(Map.of(
                        ":v", AttributeValue.fromN(write.expected().version().toPlainString()),
                        ":g", AttributeValue.fromBool(write.expected().gone())))
                .build();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
