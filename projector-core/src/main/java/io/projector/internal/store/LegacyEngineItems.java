package io.projector.internal.store;

import io.projector.ItemKey;
import io.projector.SequenceNumber;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.EngineKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * One application's engine items under the keys from before the application was part of them
 * ({@link EngineKeys#beforeApplications()}), where every application sharing the read-model table
 * wrote under the same partitions. An item is taken for this application's only when it says so:
 * a watermark or dead letter by its shard (one of the source stream's, or one in the application's
 * lease table: another source table's stream has other shard ids), a shard report by its
 * application attribute. Items without either (backfill state, hand-off markers) are taken by
 * projection name, which only the operator can vouch for.
 */
public final class LegacyEngineItems {

    private static final Logger log = LoggerFactory.getLogger(LegacyEngineItems.class);
    private static final EngineKeys OLD = EngineKeys.beforeApplications();

    private final DynamoDbClient dynamo;
    private final String table;
    private final String application;
    private final Supplier<Set<String>> shardSource;
    /** Read once, when an old item first needs judging: a table without old items costs no DescribeStream. */
    private Set<String> shards;

    public LegacyEngineItems(DynamoDbClient dynamo, String table, String application, Supplier<Set<String>> shards) {
        this.dynamo = dynamo;
        this.table = table;
        this.application = application;
        this.shardSource = shards;
    }

    /** The application's shards: every shard its stream lists (closed ones for 24 h) and every shard in its lease table. */
    public static Set<String> shardsOf(DynamoDbClient dynamo, DynamoDbStreamsClient streams, String streamArn, String application) {
        Set<String> out = new HashSet<>(StreamShards.all(streams, streamArn));
        out.addAll(ProjectionGaps.checkpoints(dynamo, application).keySet());
        return out;
    }

    public synchronized Set<String> shards() {
        if (shards == null) {
            shards = Set.copyOf(shardSource.get());
        }
        return shards;
    }

    /** The key the item has under the application's keys: the shapes are the same after the prefix. */
    public static String newPartition(EngineKeys keys, String oldPartition) {
        return keys.prefix() + oldPartition.substring(EngineKeys.RESERVED_PREFIX.length());
    }

    public List<Map<String, AttributeValue>> watermarks(String projection) {
        return query(OLD.watermarkPartition(projection));
    }

    /** Whether a watermark or letter is on one of the application's shards. */
    public boolean ours(Map<String, AttributeValue> item) {
        AttributeValue shard = item.get("shardId");
        if (shard != null && shard.s() != null) {
            return shards().contains(shard.s());
        }
        String sk = item.get(ItemKey.SORT_KEY).s();
        return sk.startsWith(EngineKeys.SHARD_SORT_PREFIX) && shards().contains(sk.substring(EngineKeys.SHARD_SORT_PREFIX.length()));
    }

    public List<Map<String, AttributeValue>> letters() {
        return query(OLD.deadLetterPartition());
    }

    public List<Map<String, AttributeValue>> backfill(String projection) {
        return query(OLD.backfillPartition(projection));
    }

    public List<Map<String, AttributeValue>> run(List<String> projections) {
        return query(OLD.backfillRunPartition(projections));
    }

    /** The projection's hand-off markers: 256 partitions. */
    public List<Map<String, AttributeValue>> markers(String projection) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            out.addAll(query(OLD.appliedPartition(projection, String.format("%02x", i))));
        }
        return out;
    }

    /** Shard reports, of every application. */
    public List<Map<String, AttributeValue>> reports() {
        return query(OLD.shardReportPartition());
    }

    /** Whether a shard report was written by this application's workers. */
    public boolean reportedByThisApplication(Map<String, AttributeValue> report) {
        return report.containsKey("application") && application.equals(report.get("application").s());
    }

    /**
     * Why the worker must not start yet, in one line, or null: some of its projections have
     * watermarks or dead letters on its shards, or a backfill in progress, under the old keys and
     * not (or further behind) under the new ones. Started, it would take those shards up again
     * from where the new keys say, and apply changes a second time. Null too when the old keys cannot
     * be read (access denied: a role limited to the application's own keys), with a WARN.
     */
    public String startProblem(List<String> projections, WatermarkStore current, BackfillStore backfills, String sourceTable,
                               String readModelTable) {
        try {
            return problem(projections, current, backfills, sourceTable, readModelTable);
        } catch (DynamoDbException e) {
            if (!"AccessDeniedException".equals(e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode())) {
                throw e;
            }
            // A role limited to PROJECTOR#<application>#* cannot see the old keys: the check is the operator's then.
            log.warn("cannot look for engine items under the keys from before they named the application (access denied): "
                    + "if '{}' ran an earlier version on '{}', stop it and run projector migrate-keys with credentials that reach "
                    + "PROJECTOR#WATERMARK#… and PROJECTOR#DLQ before this worker's first start", application, readModelTable);
            return null;
        }
    }

    private String problem(List<String> projections, WatermarkStore current, BackfillStore backfills, String sourceTable,
                           String readModelTable) {
        List<String> found = new ArrayList<>();
        for (String p : projections) {
            Map<String, SequenceNumber> now = new HashMap<>();
            current.all(p).forEach(m -> now.put(m.shardId(), m.sequenceNumber()));
            for (Map<String, AttributeValue> w : watermarks(p)) {
                if (ours(w)) {
                    String shard = w.get(ItemKey.SORT_KEY).s().substring(EngineKeys.SHARD_SORT_PREFIX.length());
                    SequenceNumber old = SequenceNumber.parse(WatermarkStore.stripZeros(w.get(WatermarkStore.SEQ).s()));
                    SequenceNumber moved = now.get(shard);
                    if (moved == null || old.isAfter(moved)) {
                        found.add("watermark of " + p + " on " + shard);
                    }
                }
            }
        }
        Set<String> names = new HashSet<>(projections);
        names.add(ChunkPlanner.NO_PROJECTION);
        long letters = letters().stream().filter(l -> names.contains(l.get("projection").s()) && ours(l)).count();
        if (letters > 0) {
            found.add(letters + " dead letters");
        }
        Map<String, BackfillStore.Registration> registered = backfills.registrations(projections);
        for (String p : projections) {
            boolean inProgress = backfill(p).stream().anyMatch(i -> EngineKeys.BACKFILL_STATE.equals(i.get(ItemKey.SORT_KEY).s())
                    && !BackfillStore.Status.RETIRED.name().equals(i.get("status").s()));
            if (inProgress && !registered.containsKey(p)) {
                found.add("backfill of " + p);
            }
        }
        if (found.isEmpty()) {
            return null;
        }
        return String.format("read-model table '%s' holds engine items of application '%s' under the keys from before they named "
                        + "the application (PROJECTOR#WATERMARK#…, PROJECTOR#DLQ: %s), which it no longer reads: started now it would apply "
                        + "changes a second time. Stop every worker of '%s', then run: projector migrate-keys --source-table %s --read-model-table %s "
                        + "--application-name %s --projections %s",
                readModelTable, application, summary(found), application, sourceTable, readModelTable, application,
                String.join(",", projections));
    }

    private static String summary(List<String> found) {
        List<String> shown = found.subList(0, Math.min(3, found.size()));
        return String.join(", ", shown) + (found.size() > shown.size() ? " and " + (found.size() - shown.size()) + " more" : "");
    }

    private List<Map<String, AttributeValue>> query(String pk) {
        return Partitions.all(dynamo, table, pk);
    }
}
