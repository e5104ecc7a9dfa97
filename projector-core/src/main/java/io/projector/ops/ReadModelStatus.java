package io.projector.ops;

import io.projector.SequenceNumber;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.store.BackfillStore;
import io.projector.internal.store.DeadLetterStore;
import io.projector.internal.store.ShardStatusStore;
import io.projector.internal.store.WatermarkStore;
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
     * @param missed         why the projection has missed changes on the shard (its watermark is behind where the worker
     *                       is: it did not run), or null
     * @param untilTrimmed   for a halted shard, how long the stream still keeps the oldest change the shard has not applied
     *                       (negative: trimmed already, changes are lost); null when not halted
     */
    public record ShardLine(String projection, String shardId, String state, SequenceNumber watermark, Duration lastAppliedAge,
                            Duration behind, Duration reportAge, String halted, String missed, Duration untilTrimmed) {
    }

    /** How long a DynamoDB stream keeps a change. */
    public static final Duration STREAM_RETENTION = Duration.ofHours(24);

    /**
     * How long until the stream trims the oldest change a halted shard has not applied: 24 h after
     * that change was written. When its time is unknown (a report of an older worker), the halt's
     * time stands in for it, which can only be later: the answer is then an upper bound.
     */
    public static Duration untilTrimmed(long oldestUnappliedMillis, long haltedAtMillis, long nowMillis) {
        long oldest = oldestUnappliedMillis > 0 ? oldestUnappliedMillis : haltedAtMillis;
        return Duration.ofMillis(oldest + STREAM_RETENTION.toMillis() - nowMillis);
    }

    /** The state of a projection that did not run while the worker read on: it lacks the changes in between. */
    public static final String MISSED = "MISSED CHANGES";

    /**
     * One projection.
     *
     * @param backfill    e.g. "scanning 42% (1,200 of 2,857), ETA 35 s", "complete", or null without one
     * @param deadLetters changes parked for it and waiting for a re-drive
     */
    public record ProjectionLine(String projection, String state, String backfill, int deadLetters, List<ShardLine> shards) {
    }

    /**
     * The state of a projection that nothing of the application in the table speaks of: no watermark,
     * no report naming it, no backfill, no letter, and no worker that read on without it (that would
     * be {@link #MISSED}).
     */
    public static final String NEVER_RAN = "never ran here";

    private ReadModelStatus() {
    }

    /**
     * The projections that have run on the table under the application: those its workers' shard
     * reports name (plugin projections too, which the reader may not have loaded), those with changes
     * parked, and of the {@code candidates} those with a watermark or a backfill.
     */
    public static List<String> projectionsSeen(DynamoDbClient dynamo, String readModelTable, String application, List<String> candidates) {
        EngineKeys keys = EngineKeys.of(application);
        java.util.Set<String> seen = new java.util.TreeSet<>();
        new ShardStatusStore(dynamo, readModelTable, keys).all().forEach(r -> seen.addAll(r.projections()));
        new DeadLetterStore(dynamo, readModelTable, keys).list(null).forEach(d -> seen.add(d.projection()));
        WatermarkStore watermarks = new WatermarkStore(dynamo, readModelTable, keys);
        Map<String, BackfillStore.Registration> registrations = new BackfillStore(dynamo, readModelTable, keys).registrations(candidates);
        candidates.stream().filter(p -> registrations.containsKey(p) || watermarks.hasAny(p)).forEach(seen::add);
        return List.copyOf(seen);
    }

    /** @param application whose engine items to read (those of its replays included); other applications' in the table are not looked at */
    public static List<ProjectionLine> read(DynamoDbClient dynamo, String readModelTable, String application, List<String> projections,
                                            long nowMillis) {
        EngineKeys keys = EngineKeys.of(application);
        WatermarkStore watermarks = new WatermarkStore(dynamo, readModelTable, keys);
        BackfillStore backfills = new BackfillStore(dynamo, readModelTable, keys);
        DeadLetterStore deadLetters = new DeadLetterStore(dynamo, readModelTable, keys);
        Map<String, ShardStatusStore.Report> reports = new HashMap<>();
        // Of several applications reporting on a shard (a replay beside the live worker), the latest report counts.
        Map<String, List<ShardStatusStore.Report>> allReports = new HashMap<>();
        new ShardStatusStore(dynamo, readModelTable, keys).all().forEach(r -> {
            reports.merge(r.shardId(), r, (a, b) -> a.polledAtMillis() >= b.polledAtMillis() ? a : b);
            allReports.computeIfAbsent(r.shardId(), k -> new ArrayList<>()).add(r);
        });
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
                String missed = missed(p, m, allReports.getOrDefault(shard, List.of()), reg);
                String state = halted != null ? "halted" : missed != null ? MISSED : shardState(reg, joins.get(shard));
                shards.add(new ShardLine(p, shard, state, m == null ? null : m.sequenceNumber(),
                        m == null || m.lastEventMillis() == 0 ? null : Duration.ofMillis(Math.max(0, nowMillis - m.lastEventMillis())),
                        r == null ? null : Duration.ofMillis(r.behindMillis()),
                        r == null ? null : Duration.ofMillis(Math.max(0, nowMillis - r.polledAtMillis())), halted, missed,
                        halted == null ? null : untilTrimmed(r.oldestUnappliedMillis(), r.haltedAtMillis() > 0 ? r.haltedAtMillis()
                                : r.polledAtMillis(), nowMillis)));
            }
            int parked = deadLetters.list(p).size();
            boolean ran = reg != null || !marks.isEmpty() || parked > 0
                    || allReports.values().stream().flatMap(List::stream).anyMatch(r -> r.projections().contains(p));
            if (!ran && shards.stream().allMatch(s -> s.state().equals("live"))) {
                // Not "live": nothing of it is in the table. A halted shard, or workers that read on without it (MISSED), say more.
                out.add(new ProjectionLine(p, NEVER_RAN, null, 0, List.of()));
                continue;
            }
            String state = shards.stream().anyMatch(s -> s.state().equals("halted")) ? "halted"
                    : shards.stream().anyMatch(s -> s.missed() != null) ? MISSED + " (backfill or rebuild it)" : shardState(reg, null);
            out.add(new ProjectionLine(p, state, describe(reg, nowMillis), parked, shards));
        }
        return out;
    }

    /**
     * Workers move every projection they run up to where they checkpoint; a watermark behind the
     * worker's position (or none) means the projection was not running while the worker read on.
     * A backfill in progress covers that, so it does not count.
     */
    private static String missed(String projection, WatermarkStore.Mark mark, List<ShardStatusStore.Report> reports,
                                 BackfillStore.Registration reg) {
        // A scan still to come covers a gap; a complete or retired one covered only what came before it.
        if (reg != null && reg.scanToCome()) {
            return null;
        }
        // Judged against an application that runs the projection (a replay beside the live worker runs
        // only some); when none does, against the latest report: the projection did not run at all.
        java.util.Comparator<ShardStatusStore.Report> latest = java.util.Comparator.comparingLong(ShardStatusStore.Report::polledAtMillis);
        List<ShardStatusStore.Report> placed = reports.stream().filter(x -> x.position() != null).toList();
        ShardStatusStore.Report report = placed.stream().filter(x -> x.projections().contains(projection)).max(latest)
                .orElse(placed.stream().max(latest).orElse(null));
        if (report == null) {
            return null;
        }
        SequenceNumber position = SequenceNumber.parse(report.position());
        if (mark != null && !position.isAfter(mark.sequenceNumber())) {
            return null;
        }
        String running = report.projections().isEmpty() ? "" : " (it runs " + report.projections() + ")";
        return (mark == null ? "no watermark" : "watermark " + mark.sequenceNumber()) + ", but worker '" + report.worker()
                + "' of application '" + report.application() + "' has read the shard up to " + position + running
                + ": the changes in between never reached this projection";
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
