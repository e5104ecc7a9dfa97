package io.projector.internal.store;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.SequenceNumber;
import io.projector.internal.plan.BoundedText;
import io.projector.internal.plan.EngineItemSizes;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.plan.ItemSize;
import io.projector.internal.plan.MalformedRecordException;
import io.projector.internal.plan.ParkedChange;
import io.projector.internal.plan.ParkingLot;
import io.projector.internal.plan.SourceKeys;
import io.projector.ops.DeadLetter;
import io.projector.worker.DeadLetterPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * The dead-letter store: items under PK {@code PROJECTOR#<application>#DLQ} of the read-model table ({@link EngineKeys}), so a parked
 * change can join the transaction that moves its projection's watermark past it. SK
 * {@code <projection>#<shardId>#<sequence number, zero-padded>}; the item keeps the change's
 * keys and images, the reason and the time. Images that would push the item past DynamoDB's
 * 400 KB are left out (the item says so); the source table still holds the item's current state.
 * Every letter carries {@code expiresAt} for the table's TTL; the {@link DeadLetterPolicy} may leave
 * the images out or redact attributes of them, and the reason is cut to {@link BoundedText#MAX_CHARS}.
 */
public final class DeadLetterStore {

    static final long MAX_ITEM_BYTES = EngineItemSizes.DEAD_LETTER_MAX_BYTES;

    /** The TTL attribute of engine items that expire (letters; hand-off markers use it too). */
    public static final String EXPIRES_AT = "expiresAt";
    /** Marks a letter whose images were redacted: the names redacted. */
    static final String REDACTED_ATTRIBUTE = "imagesRedacted";

    private final DynamoDbClient dynamo;
    private final String table;
    /** The last read of the partition, shared by the shards of a worker (null: none yet). */
    private Set<String> blocked;
    private long blockedReadAt;
    /** Bumped whenever this worker parks a change: a view read before it may lack that item. */
    private long parkedGeneration;
    private long blockedGeneration = -1;
    private final DeadLetterPolicy policy;
    private final EngineKeys keys;
    /** The partition of this application's letters. */
    private final String pk;

    public DeadLetterStore(DynamoDbClient dynamo, String table, EngineKeys keys) {
        this(dynamo, table, keys, DeadLetterPolicy.DEFAULT);
    }

    public DeadLetterStore(DynamoDbClient dynamo, String table, EngineKeys keys, DeadLetterPolicy policy) {
        this.dynamo = dynamo;
        this.table = table;
        this.policy = policy;
        this.keys = keys;
        this.pk = keys.deadLetterPartition();
    }

    public EngineKeys keys() {
        return keys;
    }

    public String table() {
        return table;
    }

    public static long estimatedSize(ParkedChange c) {
        return EngineItemSizes.deadLetter(c);
    }

    static String sortKey(String projection, String shardId, SequenceNumber seq) {
        return EngineKeys.deadLetterSortKey(projection, shardId, seq.sortable());
    }

    /** The put that parks a change, for a transaction. */
    public Put put(String shardId, ParkedChange c, long nowMillis) {
        ChangeEvent e = c.event();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("PK", AttributeValue.fromS(pk));
        item.put("SK", AttributeValue.fromS(sortKey(c.projection(), shardId, e.sequenceNumber())));
        item.put("projection", AttributeValue.fromS(c.projection()));
        item.put("shardId", AttributeValue.fromS(shardId));
        item.put("sequenceNumber", AttributeValue.fromS(e.sequenceNumber().toString()));
        item.put("sourceKey", AttributeValue.fromS(SourceKeys.of(e.keys().asMap())));
        item.put("eventName", AttributeValue.fromS(e.type().name()));
        item.put("entityType", AttributeValue.fromS(e.entityType()));
        item.put("previousEntityType", AttributeValue.fromS(e.previousEntityType()));
        item.put("approximateCreationTime", AttributeValue.fromN(Long.toString(e.approximateCreationTime().toEpochMilli())));
        item.put("reason", AttributeValue.fromS(BoundedText.cut(c.reason())));
        item.put("errorType", AttributeValue.fromS(c.errorType()));
        item.put("parkedAt", AttributeValue.fromN(Long.toString(nowMillis)));
        item.put(EXPIRES_AT, expiresAt(nowMillis));
        item.put("attempts", AttributeValue.fromN(ParkedChange.WAITS_BEHIND.equals(c.errorType()) ? "0" : "1"));
        item.put("keys", AttributeValue.fromM(e.keys().asMap()));
        if (c.handOffAttribute() != null) {
            item.put("handOffVersionAttribute", AttributeValue.fromS(c.handOffAttribute()));
            item.put("scanned", AttributeValue.fromBool(c.scanned()));
        }
        long images = e.oldImage().map(i -> ItemSize.of(i.asMap())).orElse(0L) + e.newImage().map(i -> ItemSize.of(i.asMap())).orElse(0L);
        if (!policy.keepImages()) {
            item.put("imagesOmitted", AttributeValue.fromS(WITHOUT_IMAGES));
        } else if (images + ItemSize.of(item) > MAX_ITEM_BYTES) {
            item.put("imagesOmitted", AttributeValue.fromS("the images (about " + images + " bytes) do not fit one item; "
                    + "the source table holds the item's current state"));
        } else {
            putImages(item, e.oldImage().map(Item::asMap).orElse(null), e.newImage().map(Item::asMap).orElse(null));
        }
        return Put.builder().tableName(table).item(item).build();
    }

    /** Parks a stream record that could not be decoded; its projections never saw it. Idempotent. */
    public void parkUndecodable(String shardId, Record record, String reason, long nowMillis) {
        Map<String, AttributeValue> item = new HashMap<>();
        String seq = record.dynamodb() != null && record.dynamodb().sequenceNumber() != null ? record.dynamodb().sequenceNumber() : null;
        String id = seq != null && seq.chars().allMatch(Character::isDigit) ? SequenceNumber.parse(seq).sortable() : "event-" + record.eventID();
        item.put("PK", AttributeValue.fromS(pk));
        item.put("SK", AttributeValue.fromS(EngineKeys.deadLetterSortKey("*", shardId, id)));
        item.put("projection", AttributeValue.fromS("*"));
        item.put("shardId", AttributeValue.fromS(shardId));
        item.put("sequenceNumber", AttributeValue.fromS(String.valueOf(seq)));
        item.put("eventName", AttributeValue.fromS(String.valueOf(record.eventNameAsString())));
        item.put("reason", AttributeValue.fromS(BoundedText.cut(reason)));
        item.put("errorType", AttributeValue.fromS(MalformedRecordException.class.getSimpleName()));
        item.put("parkedAt", AttributeValue.fromN(Long.toString(nowMillis)));
        item.put(EXPIRES_AT, expiresAt(nowMillis));
        item.put("attempts", AttributeValue.fromN("1"));
        if (record.dynamodb() != null) {
            if (record.dynamodb().hasKeys()) {
                item.put("keys", AttributeValue.fromM(record.dynamodb().keys()));
                item.put("sourceKey", AttributeValue.fromS(SourceKeys.of(record.dynamodb().keys())));
            }
            long size = (record.dynamodb().hasNewImage() ? ItemSize.of(record.dynamodb().newImage()) : 0)
                    + (record.dynamodb().hasOldImage() ? ItemSize.of(record.dynamodb().oldImage()) : 0);
            if (!policy.keepImages()) {
                item.put("imagesOmitted", AttributeValue.fromS(WITHOUT_IMAGES));
            } else if (size < MAX_ITEM_BYTES) {
                putImages(item, record.dynamodb().hasOldImage() ? record.dynamodb().oldImage() : null,
                        record.dynamodb().hasNewImage() ? record.dynamodb().newImage() : null);
            } else {
                item.put("imagesOmitted", AttributeValue.fromS("the images (about " + size + " bytes) do not fit one item"));
            }
        }
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    private static final String WITHOUT_IMAGES = "letters are kept without images (dead-letter setting); the stream keeps the record "
            + "for 24 hours (shard and sequence number above), the source table the item's current state";

    /** Seconds since the epoch, as DynamoDB's TTL reads them. */
    private AttributeValue expiresAt(long nowMillis) {
        return AttributeValue.fromN(Long.toString(nowMillis / 1000 + policy.retention().toSeconds()));
    }

    /** The images (either may be null), with the policy's attributes redacted; a redacted letter says which. */
    private void putImages(Map<String, AttributeValue> item, Map<String, AttributeValue> oldImage, Map<String, AttributeValue> newImage) {
        Set<String> redacted = new java.util.TreeSet<>();
        if (oldImage != null) {
            item.put("oldImage", AttributeValue.fromM(redact(oldImage, redacted)));
        }
        if (newImage != null) {
            item.put("newImage", AttributeValue.fromM(redact(newImage, redacted)));
        }
        if (!redacted.isEmpty()) {
            item.put(REDACTED_ATTRIBUTE, AttributeValue.fromSs(List.copyOf(redacted)));
        }
    }

    private Map<String, AttributeValue> redact(Map<String, AttributeValue> image, Set<String> redacted) {
        if (policy.redactedAttributes().isEmpty()) {
            return image;
        }
        Map<String, AttributeValue> out = new HashMap<>(image);
        for (String name : policy.redactedAttributes()) {
            if (out.containsKey(name)) {
                out.put(name, AttributeValue.fromS(DeadLetterPolicy.REDACTED));
                redacted.add(name);
            }
        }
        return out;
    }

    /** Parked changes in store order, optionally of one projection only. */
    public List<DeadLetter> list(String projection) {
        QueryRequest.Builder q = QueryRequest.builder().tableName(table).consistentRead(true);
        if (projection == null) {
            q.keyConditionExpression("PK = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)));
        } else {
            q.keyConditionExpression("PK = :pk AND begins_with(SK, :p)")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk), ":p", AttributeValue.fromS(EngineKeys.deadLetterSortPrefix(projection))));
        }
        List<DeadLetter> out = new ArrayList<>();
        dynamo.queryPaginator(q.build()).items().forEach(i -> out.add(toDeadLetter(i)));
        return out;
    }

    /** For each projection, the source items that have a change parked (their later changes wait behind it). */
    public Set<String> blockedItems() {
        Set<String> out = new HashSet<>();
        dynamo.queryPaginator(QueryRequest.builder().tableName(table).consistentRead(true)
                        .keyConditionExpression("PK = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)))
                        .projectionExpression("#p, sourceKey").expressionAttributeNames(Map.of("#p", "projection")).build())
                .items().forEach(i -> {
                    if (i.containsKey("sourceKey") && !"*".equals(i.get("projection").s())) {
                        out.add(ParkingLot.blockKey(i.get("projection").s(), i.get("sourceKey").s()));
                    }
                });
        return out;
    }

    /**
     * {@link #blockedItems()} as read at most {@code maxAgeMillis} ago. The shards of a worker share
     * one store, so they share the read: after a bad deploy parks thousands of changes, one query of
     * the partition per worker per refresh, not one per shard, and concurrent callers wait for the
     * one in flight. 0 forces a read (a shard taken over must see what its last owner parked).
     */
    public synchronized Set<String> blockedItems(long maxAgeMillis, long nowMillis) {
        if (blocked == null || blockedGeneration != parkedGeneration || maxAgeMillis <= 0 || nowMillis - blockedReadAt > maxAgeMillis) {
            blocked = Set.copyOf(blockedItems());
            blockedReadAt = nowMillis;
            blockedGeneration = parkedGeneration;
        }
        return blocked;
    }

    /**
     * A shard of this worker has just committed dead letters: the shared view no longer holds them,
     * and a shard refreshing from it would let the item's later changes pass the parked one.
     */
    public synchronized void parked() {
        parkedGeneration++;
    }

    public Optional<DeadLetter> get(String sortKey) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sortKey)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toDeadLetter(item));
    }

    public void delete(String sortKey) {
        dynamo.deleteItem(b -> b.tableName(table).key(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sortKey))));
    }

    /** Records one more failed attempt (a re-drive that failed again), with the new reason. */
    public void recordFailure(String sortKey, String reason, String errorType) {
        dynamo.updateItem(b -> b.tableName(table)
                .key(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sortKey)))
                .updateExpression("SET reason = :r, errorType = :t ADD attempts :one")
                .conditionExpression("attribute_exists(PK)")
                .expressionAttributeValues(Map.of(":r", AttributeValue.fromS(BoundedText.cut(reason)),
                        ":t", AttributeValue.fromS(errorType), ":one", AttributeValue.fromN("1"))));
    }

    static DeadLetter toDeadLetter(Map<String, AttributeValue> i) {
        Optional<ChangeEvent> event = Optional.empty();
        String projection = i.get("projection").s();
        // Without its images, or with some redacted, a letter no longer says what happened: no event to re-drive.
        if (!"*".equals(projection) && i.containsKey("keys") && !i.containsKey("imagesOmitted") && !i.containsKey(REDACTED_ATTRIBUTE)) {
            String where = SourceKeys.of(i.get("keys").m());
            Optional<Item> oldImage = i.containsKey("oldImage") ? Optional.of(Item.of(i.get("oldImage").m(), "old image of " + where)) : Optional.empty();
            Optional<Item> newImage = i.containsKey("newImage") ? Optional.of(Item.of(i.get("newImage").m(), "new image of " + where)) : Optional.empty();
            event = Optional.of(new ChangeEvent(ChangeType.valueOf(i.get("eventName").s()), Item.of(i.get("keys").m(), "keys of " + where),
                    oldImage, newImage, i.get("entityType").s(), SequenceNumber.parse(i.get("sequenceNumber").s()),
                    Instant.ofEpochMilli(Long.parseLong(i.get("approximateCreationTime").n())), i.get("previousEntityType").s()));
        }
        return new DeadLetter(projection, i.get("shardId").s(), i.get("SK").s(), event,
                i.containsKey("sourceKey") ? i.get("sourceKey").s() : "-",
                i.get("reason").s(), i.get("errorType").s(), Instant.ofEpochMilli(Long.parseLong(i.get("parkedAt").n())),
                Integer.parseInt(i.get("attempts").n()),
                i.containsKey("handOffVersionAttribute") ? Optional.of(i.get("handOffVersionAttribute").s()) : Optional.empty(),
                i.containsKey("scanned") && Boolean.TRUE.equals(i.get("scanned").bool()));
    }
}
