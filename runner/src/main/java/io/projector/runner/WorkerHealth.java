package io.projector.runner;

import io.projector.worker.Projector;
import io.projector.worker.ProjectorStats;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Liveness and readiness of {@code projector run}, as {@link HealthServer} reports them.
 *
 * <ul>
 *   <li>health: 200 while the KCL scheduler runs, and during a graceful stop; 503 while starting
 *       (tables checked, DynamoDB Local starting), once the scheduler died, while a shard is stuck
 *       (its batch has run longer than {@code --stuck-batch-ms}; status STUCK, the shard named), and after the stop;</li>
 *   <li>ready: 200 once the worker has taken and initialized its first shard, until it starts
 *       stopping; 503 otherwise.</li>
 * </ul>
 */
final class WorkerHealth implements HealthServer.Probe {

    enum Phase { STARTING, RUNNING, STOPPING, STOPPED }

    private volatile Phase phase = Phase.STARTING;
    private volatile Projector projector;

    /** The worker started. */
    void running(Projector started) {
        this.projector = started;
        this.phase = Phase.RUNNING;
    }

    /** A graceful stop began: not ready any more, still alive. */
    void stopping() {
        phase = Phase.STOPPING;
    }

    void stopped() {
        phase = Phase.STOPPED;
    }

    @Override
    public HealthServer.Check health() {
        Phase now = phase;
        Projector p = projector;
        return health(now, p != null && p.isRunning(), p == null ? null : p.stats());
    }

    /**
     * The liveness answer for a phase, whether the scheduler runs, and the worker's figures. A
     * stuck shard (a batch running longer than the stuck batch time) makes it 503: a projection
     * that never returns would otherwise look healthy for ever.
     */
    static HealthServer.Check health(Phase now, boolean running, ProjectorStats stats) {
        switch (now) {
            case RUNNING:
                if (!running) {
                    return new HealthServer.Check(false, "DOWN", with(details(now, stats), "reason", "the KCL scheduler stopped"));
                }
                if (!stats.stuckShards().isEmpty()) {
                    Map.Entry<String, Long> worst = stats.stuckShards().entrySet().iterator().next();
                    return new HealthServer.Check(false, "STUCK", with(details(now, stats), "reason", "shard " + worst.getKey()
                            + " has not finished a batch for " + worst.getValue() / 1000 + " s (a projection that does not return, "
                            + "or retries that do not end; see the log and projector_shard_batch_age_milliseconds)"));
                }
                return new HealthServer.Check(true, "UP", details(now, stats));
            case STOPPING:
                return new HealthServer.Check(true, "UP", details(now, stats));
            default:
                return new HealthServer.Check(false, "DOWN", details(now, stats));
        }
    }

    @Override
    public HealthServer.Check readiness() {
        Phase now = phase;
        Projector p = projector;
        if (now == Phase.RUNNING && p.isReady()) {
            return new HealthServer.Check(true, "READY", details(now, p.stats()));
        }
        String reason;
        switch (now) {
            case STARTING:
                reason = "starting";
                break;
            case RUNNING:
                reason = p.isRunning() ? "waiting for a shard lease and the initial shard sync" : "the KCL scheduler stopped";
                break;
            case STOPPING:
                reason = "shutting down";
                break;
            default:
                reason = "stopped";
                break;
        }
        return new HealthServer.Check(false, "NOT_READY", with(details(now, p == null ? null : p.stats()), "reason", reason));
    }

    private static Map<String, Object> details(Phase phase, ProjectorStats stats) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("phase", phase.name());
        if (stats != null) {
            out.put("activeShards", stats.activeShards());
            out.put("haltedShards", stats.haltedShards().size());
            if (!stats.stuckShards().isEmpty()) {
                Map<String, Long> stuckSeconds = new LinkedHashMap<>();
                stats.stuckShards().forEach((shard, millis) -> stuckSeconds.put(shard, millis / 1000));
                out.put("stuckShards", stuckSeconds);
            }
            out.put("breaker", stats.breakerState());
            out.put("recordsProcessed", stats.eventsSeen());
            out.put("uptimeSeconds", stats.uptimeMillis() / 1000);
        }
        return out;
    }

    private static Map<String, Object> with(Map<String, Object> details, String key, Object value) {
        details.put(key, value);
        return details;
    }
}
