package io.projector;

import io.projector.internal.BackfillStore;
import io.projector.internal.DeadLetterStore;
import io.projector.internal.ShardStatusStore;
import io.projector.internal.WatermarkStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Where each projection of a read-model table stands, per shard: what {@code projector status}
 * prints. Read from the engine's own items in the table (watermarks, shard reports, backfill
 * registrations, dead letters); nothing asks a running worker.
 */
public final class ReadModelStatus {

    /**
     * One projection on one shard.
     *
     * @param state          live, backfilling, rebuilding, handing off, halted, or waiting (registered, no worker joined yet)
     * @param watermark      the last sequence number applied, or null
     * @param lastAppliedAge age of the newest change applied, or null
     * @param behind         how far the worker is behind the stream: zero at its tip, else the age of the newest record it read when it read it; null when unknown
     * @param reportAge      how old the worker's last report on the shard is, or null
     */
    public record ShardLine(String projection, String shardId, String state, SequenceNumber watermark, Duration lastAppliedAge,
                            Duration behind, Duration reportAge, String halted) {
    }

    /**
     * One projection.
     *
     * @param backfill    e.g. "scanning 42% (1,200 of 2,857), ETA 35 s", "complete", or null without one
     * @param deadLetters changes parked for it and waiting for a re-drive
     */
    public record ProjectionLine(String projection, String state, String backfill, int deadLetters, List<ShardLine> shards) {
    }

    private ReadModelStatus() {
    }

    public static List<ProjectionLine> read(DynamoDbClient dynamo, String readModelTable, List<String> projections, long nowMillis) {
        WatermarkStore watermarks = new WatermarkStore(dynamo, readModelTable);
        BackfillStore backfills = new BackfillStore(dynamo, readModelTable);
        DeadLetterStore deadLetters = new DeadLetterStore(dynamo, readModelTable);
        Map<String, ShardStatusStore.Report> reports = new HashMap<>();
        // Of several applications reporting on a shard (a replay beside the live worker), the latest report counts.
        new ShardStatusStore(dynamo, readModelTable).all().forEach(r -> reports.merge(r.shardId(), r,
                (a, b) -> a.polledAtMillis() >= b.polledAtMillis() ? a : b));
        Map<String, BackfillStore.Registration> registrations = backfills.registrations(projections);
        List<ProjectionLine> out = new ArrayList<>();
        for (String p : projections) {
            BackfillStore.Registration reg = registrations.get(p);
            Map<String, String> joins = reg == null ? Map.of() : backfills.shardReports(p);
            Map<String, WatermarkStore.Mark> marks = new HashMap<>();
            watermarks.all(p).forEach(m -> marks.put(m.shardId(), m));
            List<String> shardIds = new ArrayList<>(reports.keySet());
            marks.keySet().stream().filter(s -> !reports.containsKey(s)).forEach(shardIds::add);
            shardIds.sort(String::compareTo);
            List<ShardLine> shards = new ArrayList<>();
            for (String shard : shardIds) {
                WatermarkStore.Mark m = marks.get(shard);
                ShardStatusStore.Report r = reports.get(shard);
                String halted = r == null ? null : r.halted();
                String state = halted != null ? "halted" : shardState(reg, joins.get(shard));
                shards.add(new ShardLine(p, shard, state, m == null ? null : m.sequenceNumber(),
                        m == null || m.lastEventMillis() == 0 ? null : Duration.ofMillis(Math.max(0, nowMillis - m.lastEventMillis())),
                        r == null ? null : Duration.ofMillis(r.behindMillis()),
                        r == null ? null : Duration.ofMillis(Math.max(0, nowMillis - r.polledAtMillis())), halted));
            }
            String state = shards.stream().anyMatch(s -> s.state().equals("halted")) ? "halted" : shardState(reg, null);
            out.add(new ProjectionLine(p, state, describe(reg, nowMillis), deadLetters.list(p).size(), shards));
        }
        return out;
    }

    private static String shardState(BackfillStore.Registration reg, String join) {
        if (reg == null) {
            return "live";
        }
        String doing = "rebuild".equals(reg.purpose()) ? "rebuilding" : "backfilling";
        if ("ended".equals(join) || reg.status() == BackfillStore.Status.RETIRED) {
            return "live";
        }
        if (join != null && !"joined".equals(join)) {
            return "refused the hand-off";
        }
        return switchState(reg.status(), doing);
    }

    private static String switchState(BackfillStore.Status status, String doing) {
        if (status == BackfillStore.Status.COMPLETE) {
            return "live (hand-off)";
        }
        return status == BackfillStore.Status.PENDING ? doing + " (waiting for workers)" : doing;
    }

    private static String describe(BackfillStore.Registration reg, long nowMillis) {
        if (reg == null) {
            return null;
        }
        if (reg.status() == BackfillStore.Status.COMPLETE || reg.status() == BackfillStore.Status.RETIRED) {
            return String.format("complete: %,d items scanned, %,d (projection, item) pairs applied by the scan, in %.1f s",
                    reg.scanned(), reg.applied(), (reg.finishedAtMillis() - reg.startedAtMillis()) / 1000.0);
        }
        if (reg.status() == BackfillStore.Status.PENDING) {
            return "registered, waiting for the workers running it to join";
        }
        double seconds = Math.max(1, (nowMillis - reg.startedAtMillis()) / 1000.0);
        double rate = reg.scanned() / seconds;
        String percent = reg.estimate() > 0 ? String.format("%.0f%%", Math.min(99.9, 100.0 * reg.scanned() / reg.estimate())) : "?%";
        String eta = rate > 0 && reg.estimate() > reg.scanned() ? String.format(", ETA %.0f s", (reg.estimate() - reg.scanned()) / rate) : "";
        return String.format("scanning %s (%,d of ~%,d items, %.0f items/s%s)", percent, reg.scanned(), reg.estimate(), rate, eta);
    }
}
