package io.projector.runner;

import io.projector.Projector;
import io.projector.ProjectorStats;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Liveness and readiness of {@code projector run}, as {@link HealthServer} reports them.
 *
 * <ul>
 *   <li>health: 200 while the KCL scheduler runs, and during a graceful stop; 503 while starting
 *       (tables checked, DynamoDB Local starting), once the scheduler died, and after the stop;</li>
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
        switch (now) {
            case RUNNING:
                return p.isRunning()
                        ? new HealthServer.Check(true, "UP", details(now, p))
                        : new HealthServer.Check(false, "DOWN", with(details(now, p), "reason", "the KCL scheduler stopped"));
            case STOPPING:
                return new HealthServer.Check(true, "UP", details(now, p));
            default:
                return new HealthServer.Check(false, "DOWN", details(now, p));
        }
    }

    @Override
    public HealthServer.Check readiness() {
        Phase now = phase;
        Projector p = projector;
        if (now == Phase.RUNNING && p.isReady()) {
            return new HealthServer.Check(true, "READY", details(now, p));
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
        return new HealthServer.Check(false, "NOT_READY", with(details(now, p), "reason", reason));
    }

    private static Map<String, Object> details(Phase phase, Projector p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("phase", phase.name());
        if (p != null) {
            ProjectorStats stats = p.stats();
            out.put("activeShards", stats.activeShards());
            out.put("haltedShards", stats.haltedShards().size());
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
