package io.projector.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Writes {@code Thing}s the way a service that honours the hand-off contract does: every write
 * sets {@code version} one above the item's last, across deletion and re-creation too. Seeded,
 * single-threaded, so the versions it tracks are the table's.
 */
final class VersionedWriter {

    private final DynamoDbClient dynamo;
    private final String table;
    private final Random random;
    private final Map<String, Long> versions = new HashMap<>();
    private final List<String> live = new ArrayList<>();
    private final List<String> deleted = new ArrayList<>();
    private int next;

    VersionedWriter(DynamoDbClient dynamo, String table, long seed) {
        this.dynamo = dynamo;
        this.table = table;
        this.random = new Random(seed);
    }

    /** A new item at version {@code firstVersion} (legacy items may start anywhere, or lack the attribute: then null). */
    void insert(Long firstVersion) {
        String pk = "T#" + next++;
        put(pk, firstVersion);
        live.add(pk);
    }

    /** One random write: mostly updates, some deletions, re-creations and inserts. */
    void randomWrite() {
        int dice = random.nextInt(100);
        if (dice < 60 && !live.isEmpty()) {
            String pk = live.get(random.nextInt(live.size()));
            put(pk, versions.getOrDefault(pk, 0L) + 1);
        } else if (dice < 75 && !live.isEmpty()) {
            String pk = live.remove(random.nextInt(live.size()));
            dynamo.deleteItem(b -> b.tableName(table).key(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS("1"))));
            deleted.add(pk);
        } else if (dice < 90 && !deleted.isEmpty()) {
            String pk = deleted.remove(random.nextInt(deleted.size()));
            put(pk, versions.getOrDefault(pk, 0L) + 1);
            live.add(pk);
        } else {
            insert(1L);
        }
    }

    private void put(String pk, Long version) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("PK", AttributeValue.fromS(pk));
        item.put("SK", AttributeValue.fromS("1"));
        item.put("type", AttributeValue.fromS("Thing"));
        item.put("group", AttributeValue.fromS("g" + random.nextInt(5)));
        item.put("value", AttributeValue.fromS("v" + random.nextInt(1000)));
        item.put("amount", AttributeValue.fromN(Integer.toString(1 + random.nextInt(50))));
        if (version != null) {
            item.put("version", AttributeValue.fromN(Long.toString(version)));
            versions.put(pk, version);
        }
        dynamo.putItem(b -> b.tableName(table).item(item));
    }
}
