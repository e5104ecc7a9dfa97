package io.projector.internal.store;

import io.projector.ItemKey;
import io.projector.internal.plan.EngineKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * A backfill's durable state, in the read-model table it fills ({@link EngineKeys}). Per projection, PK
 * {@code PROJECTOR#<application>#BACKFILL#<projection>}: SK {@code STATE} (the registration that puts workers
 * into hand-off mode: status, version attribute, times, progress), {@code JOINED#<shard>} (a worker
 * applies that shard's changes under the hand-off rule; with {@code endedAt} once the hand-off is
 * over there for good) or {@code REFUSED#<shard>} (it could not). When every shard has ended the
 * registration becomes RETIRED and the join items go ({@link #retireIfEnded}).
 * Per run (the set of projections scanned together), PK {@code PROJECTOR#<application>#BACKFILL#RUN#<names>}:
 * SK {@code SEGMENT#<n>} with the scan's last evaluated key, so an interrupted backfill resumes.
 */
public final class BackfillStore {

    /** Where a backfill stands; RETIRED: complete, and its hand-off ended on every shard (kept for status and for the "already backfilled" check). */
    public enum Status { PENDING, RUNNING, COMPLETE, RETIRED }

    /**
     * One projection's registration.
     *
     * @param finishedAtMillis when the scan ended (0 before); stream records newer than this plus the margin end the hand-off
     * @param purpose          "backfill" or "rebuild"
     */
    public record Registration(String projection, Status status, String versionAttribute, String purpose, long createdAtMillis,
                               long startedAtMillis, long finishedAtMillis, long scanned, long applied, long estimate) {
        /** Whether its scan is still to come or under way, and so covers changes a projection's watermark has not reached. */
        public boolean scanToCome() {
            return status == Status.PENDING || status == Status.RUNNING;
        }
    }

    /** A scan segment's progress: where to go on (null: from the start), and whether it is done. */
    public record SegmentProgress(int segment, Map<String, AttributeValue> lastKey, boolean done, long scanned) {
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final EngineKeys keys;

    public BackfillStore(DynamoDbClient dynamo, String table, EngineKeys keys) {
        this.dynamo = dynamo;
        this.table = table;
        this.keys = keys;
    }

    public String table() {
        return table;
    }

    ItemKey stateKey(String projection) {
        return ItemKey.of(keys.backfillPartition(projection), EngineKeys.BACKFILL_STATE);
    }

    /** Consistent reads of the registrations of these projections; those without one are absent. */
    public Map<String, Registration> registrations(List<String> projections) {
        Map<String, Registration> out = new HashMap<>();
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        projections.forEach(p -> keys.add(stateKey(p).toAttributes()));
        for (Map<String, AttributeValue> item : ConsistentBatchGet.items(dynamo, table, keys)) {
            Registration reg = registration(item);
            out.put(reg.projection(), reg);
        }
        return out;
    }

    public Optional<Registration> registration(String projection) {
        return Optional.ofNullable(registrations(List.of(projection)).get(projection));
    }

    /** Registers a projection for a backfill unless it already is (a resumed run keeps its registration). */
    public Registration register(String projection, String versionAttribute, String purpose, long nowMillis) {
        Map<String, AttributeValue> item = new HashMap<>(stateKey(projection).toAttributes());
        item.put("projection", AttributeValue.fromS(projection));
        item.put("status", AttributeValue.fromS(Status.PENDING.name()));
        item.put("versionAttribute", AttributeValue.fromS(versionAttribute));
        item.put("purpose", AttributeValue.fromS(purpose));
        item.put("createdAt", AttributeValue.fromN(Long.toString(nowMillis)));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(PK)"));
        } catch (ConditionalCheckFailedException e) {
            // Registered before: an interrupted run goes on under its first registration.
        }
        return registration(projection).orElseThrow();
    }

    public void markRunning(String projection, long nowMillis, long estimate) {
        dynamo.updateItem(b -> b.tableName(table).key(stateKey(projection).toAttributes())
                .updateExpression("SET #s = :s, startedAt = if_not_exists(startedAt, :now), estimate = :e")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(Status.RUNNING.name()),
                        ":now", AttributeValue.fromN(Long.toString(nowMillis)), ":e", AttributeValue.fromN(Long.toString(estimate)))));
    }

    public void recordProgress(String projection, long scanned, long applied) {
        dynamo.updateItem(b -> b.tableName(table).key(stateKey(projection).toAttributes())
                .updateExpression("SET scanned = :s, applied = :a")
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromN(Long.toString(scanned)),
                        ":a", AttributeValue.fromN(Long.toString(applied)))));
    }

    public void markComplete(String projection, long nowMillis, long scanned, long applied) {
        dynamo.updateItem(b -> b.tableName(table).key(stateKey(projection).toAttributes())
                .updateExpression("SET #s = :s, finishedAt = :now, scanned = :sc, applied = :a")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(Status.COMPLETE.name()),
                        ":now", AttributeValue.fromN(Long.toString(nowMillis)),
                        ":sc", AttributeValue.fromN(Long.toString(scanned)), ":a", AttributeValue.fromN(Long.toString(applied)))));
    }

    /** Drops a projection's registration, its join records and its run's progress (a cancelled or finished backfill). */
    public void forget(String projection) {
        List<Map<String, AttributeValue>> items = query(keys.backfillPartition(projection));
        // The registration goes last: interrupted, the join records it explains are still there to finish with.
        items.sort(java.util.Comparator.comparing(i -> EngineKeys.BACKFILL_STATE.equals(i.get(ItemKey.SORT_KEY).s())));
        for (Map<String, AttributeValue> item : items) {
            dynamo.deleteItem(b -> b.tableName(table).key(Map.of(ItemKey.PARTITION_KEY, item.get(ItemKey.PARTITION_KEY),
                    ItemKey.SORT_KEY, item.get(ItemKey.SORT_KEY))));
        }
    }

    /** Records that this shard's changes of the projection are applied under the hand-off rule from now on. */
    public void join(String projection, String shardId, String workerId, long nowMillis) {
        dynamo.putItem(b -> b.tableName(table).item(Map.of(
                ItemKey.PARTITION_KEY, AttributeValue.fromS(keys.backfillPartition(projection)), ItemKey.SORT_KEY, AttributeValue.fromS(EngineKeys.BACKFILL_JOINED_PREFIX + shardId),
                "worker", AttributeValue.fromS(workerId), "at", AttributeValue.fromN(Long.toString(nowMillis)))));
    }

    public void refuse(String projection, String shardId, String reason, long nowMillis) {
        dynamo.putItem(b -> b.tableName(table).item(Map.of(
                ItemKey.PARTITION_KEY, AttributeValue.fromS(keys.backfillPartition(projection)), ItemKey.SORT_KEY, AttributeValue.fromS(EngineKeys.BACKFILL_REFUSED_PREFIX + shardId),
                "reason", AttributeValue.fromS(reason), "at", AttributeValue.fromN(Long.toString(nowMillis)))));
    }

    public HandOffLedger.ShardState shardState(String projection, String shardId) {
        var r = dynamo.getItem(b -> b.tableName(table).consistentRead(true).key(joinKey(projection, shardId)));
        if (!r.hasItem() || r.item().isEmpty()) {
            return HandOffLedger.ShardState.NONE;
        }
        return r.item().containsKey("endedAt") ? HandOffLedger.ShardState.ENDED : HandOffLedger.ShardState.JOINED;
    }

    /**
     * Records that the shard's hand-off of the projection is over for good (whether or not the
     * shard joined: one opened after the scan's end never needs to).
     */
    public void end(String projection, String shardId, long nowMillis) {
        dynamo.updateItem(b -> b.tableName(table).key(joinKey(projection, shardId))
                .updateExpression("SET endedAt = if_not_exists(endedAt, :now)")
                .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(nowMillis)))));
    }

    /**
     * Retires a complete registration once its hand-off has ended on every open shard and on every
     * shard that joined: from then on no shard judges a change by the rule, and none needs to, as
     * every change not yet read was made after the end. The registration stays, RETIRED, with its
     * figures; the join items go. True if it did (or it was retired or gone already).
     */
    public boolean retireIfEnded(String projection, List<String> openShards) {
        List<Map<String, AttributeValue>> items = query(keys.backfillPartition(projection));
        Map<String, Boolean> ended = new HashMap<>();
        boolean complete = false;
        boolean refused = false;
        boolean retired = true;
        for (Map<String, AttributeValue> item : items) {
            String sk = item.get(ItemKey.SORT_KEY).s();
            if (sk.equals(EngineKeys.BACKFILL_STATE)) {
                complete = Status.COMPLETE.name().equals(item.get("status").s());
                retired = Status.RETIRED.name().equals(item.get("status").s());
            } else if (sk.startsWith(EngineKeys.BACKFILL_JOINED_PREFIX)) {
                ended.put(sk.substring(EngineKeys.BACKFILL_JOINED_PREFIX.length()), item.containsKey("endedAt"));
            } else if (sk.startsWith(EngineKeys.BACKFILL_REFUSED_PREFIX)) {
                refused = true;
            }
        }
        if (!retired && !retirable(complete, refused, ended, openShards)) {
            return false;
        }
        if (!retired) {
            dynamo.updateItem(b -> b.tableName(table).key(stateKey(projection).toAttributes())
                    .updateExpression("SET #s = :s").expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(Status.RETIRED.name()))));
        }
        // Retired first, so that no tracker takes the registration up again while its join items go.
        for (Map<String, AttributeValue> item : items) {
            if (item.get(ItemKey.SORT_KEY).s().startsWith(EngineKeys.BACKFILL_JOINED_PREFIX)) {
                dynamo.deleteItem(b -> b.tableName(table).key(Map.of(ItemKey.PARTITION_KEY, item.get(ItemKey.PARTITION_KEY),
                        ItemKey.SORT_KEY, item.get(ItemKey.SORT_KEY))));
            }
        }
        return true;
    }

    /**
     * The retirement rule, pure: a complete scan, no refusal (that is for an operator to read), and
     * the hand-off ended on every shard that joined or recorded an end and on every open shard.
     *
     * @param shards per shard with a join or end record, whether it ended
     */
    public static boolean retirable(boolean complete, boolean refused, Map<String, Boolean> shards, List<String> openShards) {
        return complete && !refused && !shards.containsValue(false) && openShards.stream().allMatch(s -> shards.getOrDefault(s, false));
    }

    private Map<String, AttributeValue> joinKey(String projection, String shardId) {
        return Map.of(ItemKey.PARTITION_KEY, AttributeValue.fromS(keys.backfillPartition(projection)),
                ItemKey.SORT_KEY, AttributeValue.fromS(EngineKeys.BACKFILL_JOINED_PREFIX + shardId));
    }

    /** Shard id to "joined", "ended" or the refusal reason, for every shard a worker reported on. */
    public Map<String, String> shardReports(String projection) {
        Map<String, String> out = new HashMap<>();
        for (Map<String, AttributeValue> item : query(keys.backfillPartition(projection))) {
            String sk = item.get(ItemKey.SORT_KEY).s();
            if (sk.startsWith(EngineKeys.BACKFILL_JOINED_PREFIX)) {
                out.putIfAbsent(sk.substring(EngineKeys.BACKFILL_JOINED_PREFIX.length()), item.containsKey("endedAt") ? "ended" : "joined");
            } else if (sk.startsWith(EngineKeys.BACKFILL_REFUSED_PREFIX)) {
                out.put(sk.substring(EngineKeys.BACKFILL_REFUSED_PREFIX.length()), item.get("reason").s());
            }
        }
        return out;
    }

    String runKey(List<String> projections) {
        return keys.backfillRunPartition(projections);
    }

    public List<SegmentProgress> segments(List<String> projections) {
        List<SegmentProgress> out = new ArrayList<>();
        for (Map<String, AttributeValue> item : query(runKey(projections))) {
            out.add(new SegmentProgress(Integer.parseInt(item.get("segment").n()),
                    item.containsKey("lastKey") ? item.get("lastKey").m() : null,
                    Boolean.TRUE.equals(item.get("done").bool()), Long.parseLong(item.get("scanned").n())));
        }
        return out;
    }

    public void saveSegment(List<String> projections, int totalSegments, SegmentProgress progress) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ItemKey.PARTITION_KEY, AttributeValue.fromS(runKey(projections)));
        item.put(ItemKey.SORT_KEY, AttributeValue.fromS(EngineKeys.backfillSegmentSortKey(progress.segment())));
        item.put("segment", AttributeValue.fromN(Integer.toString(progress.segment())));
        item.put("totalSegments", AttributeValue.fromN(Integer.toString(totalSegments)));
        item.put("done", AttributeValue.fromBool(progress.done()));
        item.put("scanned", AttributeValue.fromN(Long.toString(progress.scanned())));
        if (progress.lastKey() != null) {
            item.put("lastKey", AttributeValue.fromM(progress.lastKey()));
        }
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    public void forgetRun(List<String> projections) {
        for (Map<String, AttributeValue> item : query(runKey(projections))) {
            dynamo.deleteItem(b -> b.tableName(table).key(Map.of(ItemKey.PARTITION_KEY, item.get(ItemKey.PARTITION_KEY),
                    ItemKey.SORT_KEY, item.get(ItemKey.SORT_KEY))));
        }
    }

    private List<Map<String, AttributeValue>> query(String pk) {
        return Partitions.all(dynamo, table, pk);
    }

    private static Registration registration(Map<String, AttributeValue> item) {
        return new Registration(item.get("projection").s(), Status.valueOf(item.get("status").s()), item.get("versionAttribute").s(),
                item.get("purpose").s(), number(item, "createdAt"), number(item, "startedAt"), number(item, "finishedAt"),
                number(item, "scanned"), number(item, "applied"), number(item, "estimate"));
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }
}
