package io.projector.internal.commit;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Which stream shards of this application are finished long enough ago that their counter markers
 * may go: read from the KCL's lease table, where a shard read to its end holds the checkpoint
 * {@code SHARD_END}, and a shard this worker saw whose lease the KCL later cleaned up is finished
 * too. A shard counts once {@code grace} has passed since it was first seen finished: by then no
 * owner of it, however stale, is expected to send a window again (the tombstones' assumption),
 * and a replay of its records is skipped by the watermarks. Shards this worker never saw in the
 * lease table (another application's, say) are never pruned. Shared by the worker's shards.
 */
public final class FinishedShards {

    private static final Logger log = LoggerFactory.getLogger(FinishedShards.class);
    static final String SHARD_END = "SHARD_END";

    private final DynamoDbClient dynamo;
    private final String leaseTable;
    private final long graceMillis;
    private final long refreshMillis;
    private final Clock clock;
    private final Set<String> seen = new HashSet<>();
    private final Map<String, Long> finishedAt = new HashMap<>();
    private boolean read;
    private long readAt;

    public FinishedShards(DynamoDbClient dynamo, String leaseTable, Duration grace, Clock clock) {
        this.dynamo = dynamo;
        this.leaseTable = leaseTable;
        this.graceMillis = grace.toMillis();
        // Often enough that a shard is pruned soon after its grace, rarely enough to cost nothing.
        this.refreshMillis = Math.min(60_000, Math.max(1_000, graceMillis / 2));
        this.clock = clock;
    }

    /** The shards whose markers may be removed now; reads the lease table when due (a failure keeps what was known). */
    public synchronized Set<String> prunable() {
        long now = clock.millis();
        if (!read || now - readAt >= refreshMillis) {
            read = true;
            readAt = now;
            try {
                refresh(now);
            } catch (RuntimeException e) {
                log.debug("reading finished shards from {} failed ({}); pruning waits", leaseTable, e.toString());
            }
        }
        Set<String> out = new HashSet<>();
        finishedAt.forEach((shard, at) -> {
            if (now - at >= graceMillis) {
                out.add(shard);
            }
        });
        return out;
    }

    private void refresh(long now) {
        Set<String> present = new HashSet<>();
        dynamo.scanPaginator(b -> b.tableName(leaseTable).consistentRead(true)
                .projectionExpression("leaseKey, #c").expressionAttributeNames(Map.of("#c", "checkpoint"))).items().forEach(i -> {
            if (i.get("leaseKey") == null || i.get("leaseKey").s() == null) {
                return;
            }
            String shard = i.get("leaseKey").s();
            present.add(shard);
            if (i.get("checkpoint") != null && SHARD_END.equals(i.get("checkpoint").s())) {
                finishedAt.putIfAbsent(shard, now);
            }
        });
        for (String shard : seen) {
            if (!present.contains(shard)) {
                // Its lease was cleaned up: the KCL removes only the leases of shards read to their end.
                finishedAt.putIfAbsent(shard, now);
            }
        }
        seen.addAll(present);
    }
}
