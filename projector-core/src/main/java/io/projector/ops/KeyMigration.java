package io.projector.ops;

import io.projector.ItemKey;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.store.AwsClients;
import io.projector.internal.store.LegacyEngineItems;
import io.projector.worker.ProjectorConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * Moves one application's engine items from the partitions every application of a read-model table
 * used to share ({@code PROJECTOR#WATERMARK#<projection>}, {@code PROJECTOR#DLQ}, …) to its own
 * ({@code PROJECTOR#<application>#…}): what {@code projector migrate-keys} runs, once, with the
 * application's workers stopped.
 *
 * <p>What moves: watermarks and dead letters on the application's shards (its source stream's and
 * its lease table's; dead letters of the projections named or of none), backfill state and the
 * progress of a backfill of exactly the projections named, hand-off markers of a projection whose
 * backfill is not retired or which has a letter parked during a hand-off, and the shard reports of
 * the application. Everything else stays where it is and is reported: it may be another
 * application's.
 *
 * <p>Each item is copied on condition that the new key is free, then deleted on condition that it
 * has not changed since it was read. A run that stops half-way is run again: a copy already there is
 * kept (a watermark is raised to the old one when that is further), and the old item is then
 * deleted. Nothing is deleted that was not copied.
 */
public final class KeyMigration {

    /**
     * What a run did, or would do ({@code dryRun}).
     *
     * @param moved per kind of item, how many were copied to the new keys and deleted from the old
     * @param left  one line per group of old items not moved, with why
     */
    public record Result(boolean dryRun, Map<String, Integer> moved, List<String> left) {
        public Result {
            moved = Map.copyOf(moved);
            left = List.copyOf(left);
        }

        public int movedTotal() {
            return moved.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Attributes a worker changes on an engine item: the old item is deleted only if they are as copied. */
    private static final List<String> CHANGING = List.of("seq", "attempts", "status", "version", "polledAt");

    private final DynamoDbClient dynamo;
    private final String table;
    private final EngineKeys keys;
    private final boolean dryRun;
    private final Map<String, Integer> moved = new LinkedHashMap<>();
    private final List<String> left = new ArrayList<>();

    private KeyMigration(DynamoDbClient dynamo, String table, EngineKeys keys, boolean dryRun) {
        this.dynamo = dynamo;
        this.table = table;
        this.keys = keys;
        this.dryRun = dryRun;
    }

    /**
     * Moves the engine items of {@code config}'s application for these projections.
     *
     * @param dryRun only count and report; write nothing
     */
    public static Result run(ProjectorConfig config, List<String> projections, boolean dryRun) {
        if (projections.isEmpty()) {
            throw new IllegalArgumentException("no projections named: migrate-keys moves the items of the projections it is given");
        }
        try (AwsClients clients = new AwsClients(config)) {
            DynamoDbClient dynamo = clients.dynamo();
            String streamArn;
            try {
                streamArn = dynamo.describeTable(b -> b.tableName(config.sourceTable())).table().latestStreamArn();
                dynamo.describeTable(b -> b.tableName(config.readModelTable()));
            } catch (ResourceNotFoundException e) {
                throw new IllegalArgumentException("table not found: " + e.awsErrorDetails().errorMessage()
                        + " (check --source-table and --read-model-table)");
            }
            if (streamArn == null) {
                throw new IllegalArgumentException("source table '" + config.sourceTable() + "' has no stream: its shards say which "
                        + "watermarks are this application's");
            }
            String app = config.engineApplication();
            LegacyEngineItems old = new LegacyEngineItems(dynamo, config.readModelTable(), app,
                    () -> LegacyEngineItems.shardsOf(dynamo, clients.streams(), streamArn, app));
            KeyMigration m = new KeyMigration(dynamo, config.readModelTable(), EngineKeys.of(app), dryRun);
            m.moveAll(old, projections, config.sourceTable());
            return new Result(dryRun, m.moved, m.left);
        }
    }

    private void moveAll(LegacyEngineItems old, List<String> projections, String sourceTable) {
        Set<String> names = new HashSet<>(projections);
        names.add(ChunkPlanner.NO_PROJECTION);
        // Letters first: a letter parked during a hand-off needs its projection's markers to be re-driven.
        Set<String> handOffLetters = new HashSet<>();
        Map<String, Integer> otherLetters = new LinkedHashMap<>();
        for (Map<String, AttributeValue> letter : old.letters()) {
            String p = letter.get("projection").s();
            if (!names.contains(p)) {
                otherLetters.merge("of projections not named (" + p + ", …)", 1, Integer::sum);
            } else if (!old.ours(letter)) {
                otherLetters.merge("on shards of another stream (" + letter.get("shardId").s() + ", …)", 1, Integer::sum);
            } else {
                move("dead letters", letter);
                if (letter.containsKey("handOffVersionAttribute")) {
                    handOffLetters.add(p);
                }
            }
        }
        otherLetters.forEach((why, n) -> left.add(n + " dead letters under PROJECTOR#DLQ " + why));
        for (String p : projections) {
            List<String> otherShards = new ArrayList<>();
            for (Map<String, AttributeValue> w : old.watermarks(p)) {
                if (old.ours(w)) {
                    move("watermarks", w);
                } else {
                    otherShards.add(w.get(ItemKey.SORT_KEY).s());
                }
            }
            if (!otherShards.isEmpty()) {
                left.add(otherShards.size() + " watermarks under PROJECTOR#WATERMARK#" + p + " on shards neither in the stream of '"
                        + sourceTable + "' nor in the lease table of '" + keys.application() + "' (e.g. " + otherShards.get(0)
                        + "): another application's with a projection of the same name, or shards the stream no longer lists");
            }
            List<Map<String, AttributeValue>> backfill = old.backfill(p);
            boolean inProgress = backfill.stream().anyMatch(i -> EngineKeys.BACKFILL_STATE.equals(i.get(ItemKey.SORT_KEY).s())
                    && !"RETIRED".equals(i.get("status").s()));
            backfill.forEach(i -> move("backfill state", i));
            if (inProgress || handOffLetters.contains(p)) {
                old.markers(p).forEach(i -> move("hand-off markers", i));
            } else {
                left.add("hand-off markers of " + p + " under PROJECTOR#APPLIED#" + p + "#…, if any: no backfill of it is in progress and no "
                        + "letter of it was parked during one, so no worker reads them; they expire 30 days after their last write");
            }
        }
        old.run(projections).forEach(i -> move("backfill progress", i));
        int otherReports = 0;
        for (Map<String, AttributeValue> report : old.reports()) {
            if (old.reportedByThisApplication(report)) {
                move("shard reports", report);
            } else {
                otherReports++;
            }
        }
        if (otherReports > 0) {
            left.add(otherReports + " shard reports under PROJECTOR#SHARD of other applications (or of replays and rebuilds of this one): "
                    + "status no longer reads them; a worker of this version reports under its own keys");
        }
    }

    private void move(String kind, Map<String, AttributeValue> item) {
        Map<String, AttributeValue> oldKey = Map.of(ItemKey.PARTITION_KEY, item.get(ItemKey.PARTITION_KEY), ItemKey.SORT_KEY,
                item.get(ItemKey.SORT_KEY));
        if (dryRun) {
            moved.merge(kind, 1, Integer::sum);
            return;
        }
        Map<String, AttributeValue> copy = new HashMap<>(item);
        copy.put(ItemKey.PARTITION_KEY, AttributeValue.fromS(LegacyEngineItems.newPartition(keys, item.get(ItemKey.PARTITION_KEY).s())));
        try {
            dynamo.putItem(b -> b.tableName(table).item(copy).conditionExpression("attribute_not_exists(PK)"));
        } catch (ConditionalCheckFailedException e) {
            // Copied by an earlier, interrupted run (or written since by a worker): the copy stands, but a
            // watermark must not end up behind what the old one says was applied.
            if (item.containsKey("seq")) {
                raise(copy);
            }
        }
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder unchanged = new StringBuilder("attribute_exists(PK)");
        for (String a : CHANGING) {
            if (item.containsKey(a)) {
                names.put("#" + a, a);
                values.put(":" + a, item.get(a));
                unchanged.append(" AND #").append(a).append(" = :").append(a);
            }
        }
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(oldKey).conditionExpression(unchanged.toString())
                    .expressionAttributeNames(names.isEmpty() ? null : names).expressionAttributeValues(values.isEmpty() ? null : values));
            moved.merge(kind, 1, Integer::sum);
        } catch (ConditionalCheckFailedException e) {
            left.add(kind + " " + oldKey.get(ItemKey.PARTITION_KEY).s() + " / " + oldKey.get(ItemKey.SORT_KEY).s()
                    + ": changed while it was moved (is a worker of the earlier version still running?); stop it and run again");
        }
    }

    private void raise(Map<String, AttributeValue> copy) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(ItemKey.PARTITION_KEY, copy.get(ItemKey.PARTITION_KEY), ItemKey.SORT_KEY, copy.get(ItemKey.SORT_KEY)))
                    .updateExpression("SET #seq = :seq, #raw = :raw")
                    .conditionExpression("#seq < :seq")
                    .expressionAttributeNames(Map.of("#seq", "seq", "#raw", "sequenceNumber"))
                    .expressionAttributeValues(Map.of(":seq", copy.get("seq"), ":raw", copy.get("sequenceNumber"))));
        } catch (ConditionalCheckFailedException e) {
            // The copy is already there or further.
        }
    }
}
