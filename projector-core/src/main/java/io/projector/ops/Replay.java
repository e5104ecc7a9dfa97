package io.projector.ops;

import io.projector.Projection;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.store.AwsClients;
import io.projector.internal.store.ShardStatusStore;
import io.projector.internal.store.StreamShards;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorConfig;
import io.projector.worker.ProjectorStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Re-runs projections over what the stream still holds (from TRIM_HORIZON), under an application
 * of its own so the live worker's leases and checkpoints are not touched, into the live
 * read-model table or another one. It keeps the live application's engine items (watermarks, dead
 * letters): into a table where a projection already has watermarks, the records at or below them
 * are skipped, so a replay never applies a change twice.
 */
public final class Replay implements AutoCloseable {

    private final ProjectorConfig config;
    private final AwsClients clients;
    private final Projector worker;
    private final String streamArn;
    private final long startedAt = System.currentTimeMillis();

    private Replay(ProjectorConfig config, List<Projection> projections) {
        this.config = config;
        this.clients = new AwsClients(config);
        try {
            Tables.createLeaseTable(clients.dynamo(), config.applicationName());
            this.streamArn = clients.dynamo().describeTable(b -> b.tableName(config.sourceTable())).table().latestStreamArn();
            this.worker = Projector.start(config, projections);
        } catch (RuntimeException e) {
            clients.close();
            throw e;
        }
    }

    /** Starts replaying into {@code targetTable} (which must exist) under {@code applicationName}. */
    public static Replay start(ProjectorConfig live, List<Projection> projections, String targetTable, String applicationName) {
        if (applicationName.equals(live.applicationName())) {
            throw new IllegalArgumentException("a replay needs an application name of its own, not the live worker's '" + applicationName + "'");
        }
        return new Replay(live.replayAs(targetTable, applicationName), projections);
    }

    public ProjectorConfig config() {
        return config;
    }

    public ProjectorStats stats() {
        return worker.stats();
    }

    /** Caught up: every open shard of the stream was read to its tip after the replay started. */
    public boolean caughtUp() {
        Map<String, Long> tips = new HashMap<>();
        new ShardStatusStore(clients.dynamo(), config.readModelTable(), EngineKeys.of(config.engineApplication())).of(config.applicationName())
                .forEach(r -> tips.put(r.shardId(), r.atTipAtMillis()));
        List<String> open = StreamShards.open(clients.streams(), streamArn);
        return !open.isEmpty() && open.stream().allMatch(s -> tips.getOrDefault(s, 0L) > startedAt);
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (System.currentTimeMillis() < deadline) {
            if (caughtUp()) {
                return true;
            }
            if (!worker.isRunning()) {
                return false;
            }
            Thread.sleep(250);
        }
        return false;
    }

    @Override
    public void close() {
        worker.stop(Duration.ofSeconds(20));
        clients.close();
    }
}
