package io.projector.internal.store;

import io.projector.SequenceNumber;
import io.projector.internal.plan.EngineKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * Projections a worker must not start because they would silently miss changes: the KCL resumes
 * each shard after its checkpoint, for all projections of the application alike, so a projection
 * whose watermark lies behind that checkpoint (it was left out of a run) or that has none (it is
 * new to an application that has already read the stream) would never see the changes in between.
 *
 * <p>Every worker moves each projection's watermark up to where it checkpoints
 * ({@link WatermarkStore#catchUp}), so behind the checkpoint means "did not run", not "had nothing
 * to write". A projection with a backfill registered and not complete is let through: its scan and
 * hand-off cover the table's whole state.
 */
public final class ProjectionGaps {

    /** Where the KCL keeps a lease's checkpoint, and its values for "no position yet" and "shard done". */
    static final String CHECKPOINT = "checkpoint";
    static final String SHARD_END = "SHARD_END";

    /**
     * One projection that would skip changes on one shard.
     *
     * @param watermark    the projection's watermark there, or null when it never ran there
     * @param resumesAfter where the application resumes the shard (for an ended shard: the furthest watermark of the others)
     */
    public record Gap(String projection, String shardId, SequenceNumber watermark, SequenceNumber resumesAfter) {
    }

    private ProjectionGaps() {
    }

    /**
     * @param checkpoints per shard, the lease's checkpoint as the KCL stores it: a sequence number, or
     *                    TRIM_HORIZON, LATEST, AT_TIMESTAMP (nothing read yet), or SHARD_END
     * @param watermarks  per shard, the watermarks of the projections about to run (absent: none)
     * @param exempt      projections whose backfill covers any gap
     */
    public static List<Gap> find(Map<String, String> checkpoints, Map<String, Map<String, SequenceNumber>> watermarks,
                                 List<String> projections, Set<String> exempt) {
        List<Gap> gaps = new ArrayList<>();
        new TreeMap<>(checkpoints).forEach((shard, checkpoint) -> {
            Map<String, SequenceNumber> marks = watermarks.getOrDefault(shard, Map.of());
            SequenceNumber resumesAfter;
            if (checkpoint != null && !checkpoint.isEmpty() && checkpoint.chars().allMatch(Character::isDigit)) {
                resumesAfter = SequenceNumber.parse(checkpoint);
            } else if (SHARD_END.equals(checkpoint)) {
                // An ended shard's last record is not in the lease: every projection that ran reached it.
                resumesAfter = marks.values().stream().max(SequenceNumber::compareTo).orElse(null);
            } else {
                resumesAfter = null;
            }
            if (resumesAfter == null) {
                return;
            }
            for (String p : projections) {
                SequenceNumber mark = marks.get(p);
                if (!exempt.contains(p) && (mark == null || resumesAfter.isAfter(mark))) {
                    gaps.add(new Gap(p, shard, mark, resumesAfter));
                }
            }
        });
        return gaps;
    }

    /** The one line that refuses the start: the first gap, what to do about it, and how many more there are. */
    public static String message(String application, List<Gap> gaps) {
        Gap g = gaps.get(0);
        String p = g.projection();
        String line;
        if (g.watermark() == null) {
            line = String.format("projection '%s' has never run on application '%s', which has already read shard %s up to sequence %s: "
                    + "started now it would silently miss every change before that. Register a backfill first "
                    + "(projector backfill --projections %s), then start the worker with it; or build it into a new table "
                    + "(projector rebuild --projections %s)", p, application, g.shardId(), g.resumesAfter(), p, p);
        } else {
            line = String.format("projection '%s' stopped at sequence %s on shard %s, but application '%s' resumes there after %s: "
                    + "started now it would silently miss the changes in between. Rebuild it into a new table "
                    + "(projector rebuild --projections %s), or stop the workers, replay it into this table while the stream "
                    + "still holds those changes (projector replay --projections %s), then start them with it",
                    p, g.watermark(), g.shardId(), application, g.resumesAfter(), p, p);
        }
        if (gaps.size() > 1) {
            line += String.format(" (%d more projection-shard pairs: %s)", gaps.size() - 1,
                    String.join(", ", gaps.subList(1, Math.min(gaps.size(), 6)).stream()
                            .map(x -> x.projection() + "@" + x.shardId()).toList()) + (gaps.size() > 6 ? ", ..." : ""));
        }
        return line;
    }

    /** The checkpoint of every lease of the application, by shard; none when its lease table does not exist yet. */
    public static Map<String, String> checkpoints(DynamoDbClient dynamo, String application) {
        Map<String, String> out = new HashMap<>();
        try {
            dynamo.scanPaginator(b -> b.tableName(application).consistentRead(true)
                    .projectionExpression("leaseKey, #c").expressionAttributeNames(Map.of("#c", CHECKPOINT))).items().forEach(i -> {
                AttributeValue key = i.get("leaseKey");
                AttributeValue checkpoint = i.get(CHECKPOINT);
                if (key != null && key.s() != null && checkpoint != null && checkpoint.s() != null) {
                    out.put(key.s(), checkpoint.s());
                }
            });
        } catch (ResourceNotFoundException e) {
            // A new application: it starts where the configuration says, with every projection alike.
        }
        return out;
    }

    /**
     * The gaps the projections would have if started now on this application and read-model table.
     *
     * @param keys the engine items of the application whose watermarks count (a replay's are the live application's)
     */
    public static List<Gap> of(DynamoDbClient dynamo, String readModelTable, String application, EngineKeys keys, List<String> projections) {
        Map<String, String> checkpoints = checkpoints(dynamo, application);
        if (checkpoints.isEmpty()) {
            return List.of();
        }
        WatermarkStore store = new WatermarkStore(dynamo, readModelTable, keys);
        Map<String, Map<String, SequenceNumber>> marks = new HashMap<>();
        checkpoints.keySet().forEach(shard -> marks.put(shard, store.load(shard, projections)));
        Set<String> exempt = new java.util.HashSet<>();
        new BackfillStore(dynamo, readModelTable, keys).registrations(projections).forEach((p, reg) -> {
            // Only a scan still to come covers a gap; a complete or retired one covered what came before it.
            if (reg.scanToCome()) {
                exempt.add(p);
            }
        });
        return find(checkpoints, marks, projections, exempt);
    }
}
