package io.projector.internal.store;

import io.projector.internal.plan.EngineKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What each shard's worker last said about the shard, for {@code projector status} and for a
 * rebuild or replay to know when it has caught up: PK {@code PROJECTOR#<application>#SHARD} ({@link EngineKeys}), SK
 * {@code <application>#<shard id>} (a replay or rebuild worker reports beside the live one). Written at
 * most every few seconds per shard; losing a write only makes the report older.
 *
 * @see Report
 */
public final class ShardStatusStore {

    /**
     * @param polledAtMillis     when the worker last read the shard
     * @param atTipAtMillis      when a read last found nothing new (0: never)
     * @param newestRecordMillis creation time of the newest record read
     * @param behindMillis       at the last read, how much older its newest record was than the read (0 at the tip)
     * @param halted             why the shard halted, or null
     * @param position           the sequence number every projection of the worker has its watermark at (or beyond), or null
     * @param projections        the projections the worker runs on the shard (empty: not reported)
     * @param haltedAtMillis     when it halted (0: not halted)
     * @param oldestUnappliedMillis creation time of the oldest change it has not applied when it halted (0: unknown); the
     *                           stream trims it 24 h after that
     */
    public record Report(String application, String shardId, String worker, long polledAtMillis, long atTipAtMillis, long newestRecordMillis,
                         long behindMillis, String halted, String position, List<String> projections, long haltedAtMillis,
                         long oldestUnappliedMillis) {
        public Report {
            projections = projections == null ? List.of() : List.copyOf(projections);
        }

        public Report(String application, String shardId, String worker, long polledAtMillis, long atTipAtMillis, long newestRecordMillis,
                      long behindMillis, String halted) {
            this(application, shardId, worker, polledAtMillis, atTipAtMillis, newestRecordMillis, behindMillis, halted, null, List.of(), 0, 0);
        }
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final String pk;
    private final EngineKeys keys;

    public ShardStatusStore(DynamoDbClient dynamo, String table, EngineKeys keys) {
        this.dynamo = dynamo;
        this.table = table;
        this.pk = keys.shardReportPartition();
        this.keys = keys;
    }

    public void put(Report r) {
        Map<String, AttributeValue> item = new HashMap<>(keys.shardReport(r.application(), r.shardId()).toAttributes());
        item.put("application", AttributeValue.fromS(r.application()));
        item.put("shardId", AttributeValue.fromS(r.shardId()));
        item.put("worker", AttributeValue.fromS(r.worker()));
        item.put("polledAt", number(r.polledAtMillis()));
        item.put("atTipAt", number(r.atTipAtMillis()));
        item.put("newestRecordAt", number(r.newestRecordMillis()));
        item.put("behindMillis", number(r.behindMillis()));
        if (r.halted() != null) {
            item.put("halted", AttributeValue.fromS(r.halted()));
            item.put("haltedAt", number(r.haltedAtMillis()));
            item.put("oldestUnappliedAt", number(r.oldestUnappliedMillis()));
        }
        if (r.position() != null) {
            item.put("position", AttributeValue.fromS(r.position()));
        }
        if (!r.projections().isEmpty()) {
            item.put("projections", AttributeValue.fromL(r.projections().stream().map(AttributeValue::fromS).toList()));
        }
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    /** Drops the report of a shard that is closed and done. */
    public void delete(String application, String shardId) {
        dynamo.deleteItem(b -> b.tableName(table).key(keys.shardReport(application, shardId).toAttributes()));
    }

    public List<Report> all() {
        List<Report> out = new ArrayList<>();
        dynamo.queryPaginator(b -> b.tableName(table).consistentRead(true).keyConditionExpression("PK = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)))).items().forEach(i -> out.add(new Report(
                i.get("application").s(), i.get("shardId").s(), i.get("worker").s(), n(i, "polledAt"), n(i, "atTipAt"), n(i, "newestRecordAt"),
                n(i, "behindMillis"), i.containsKey("halted") ? i.get("halted").s() : null,
                i.containsKey("position") ? i.get("position").s() : null,
                i.containsKey("projections") ? i.get("projections").l().stream().map(AttributeValue::s).toList() : List.of(),
                n(i, "haltedAt"), n(i, "oldestUnappliedAt"))));
        return out;
    }

    /** The reports of one application's workers. */
    public List<Report> of(String application) {
        return all().stream().filter(r -> r.application().equals(application)).toList();
    }

    private static AttributeValue number(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    private static long n(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }
}
