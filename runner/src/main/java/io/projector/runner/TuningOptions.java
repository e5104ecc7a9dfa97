package io.projector.runner;

import io.projector.worker.ProjectorConfig;
import java.time.Duration;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How a worker reads, retries, fails over and parks: the same for every command that starts one
 * (run, backfill --run-worker or --local, replay, rebuild). Unset timings take the engine's defaults,
 * which differ on AWS and on DynamoDB Local.
 */
@SettingGroup
final class TuningOptions {

    @Option(names = "--poll-interval-ms",
            description = "Pause between stream reads per shard (env PROJECTOR_POLL_INTERVAL_MS; default 500 on AWS, 20 on DynamoDB Local).")
    Long pollIntervalMs;

    @Option(names = "--failover-ms",
            description = "Lease failover time (env PROJECTOR_FAILOVER_MS; default 10000 on AWS, 3000 on DynamoDB Local).")
    Long failoverMs;

    @Option(names = "--leader-lock-ms",
            description = "How long the KCL leader's lock lasts unrenewed: a killed leader is replaced after about this plus one "
                    + "lease-assignment interval (env PROJECTOR_LEADER_LOCK_MS; default 10000 on AWS, 3000 on DynamoDB Local; KCL's own is 120000).")
    Long leaderLockMs;

    @Option(names = "--retry-attempts",
            description = "Attempts per round for a failing read-model call (env PROJECTOR_RETRY_ATTEMPTS; default 6).")
    Integer retryAttempts;

    @Option(names = "--stuck-batch-ms", defaultValue = "300000",
            description = "A shard whose batch has not finished for this long is stuck: run's /health answers 503 naming it "
                    + "(env PROJECTOR_STUCK_BATCH_MS; default ${DEFAULT-VALUE}, 5 minutes).")
    long stuckBatchMs;

    @Option(names = "--park-unknown-types", defaultValue = "false",
            description = "Park changes of entity types no projection wants (env PROJECTOR_PARK_UNKNOWN_TYPES; default: ignore them).")
    boolean parkUnknownTypes;

    @Option(names = "--worker-id",
            description = "This worker's name in the lease table (env PROJECTOR_WORKER_ID; default host-pid-random).")
    String workerId;

    @Mixin DeadLetterOptions deadLetters;

    @Mixin CommitOptions commit;

    /**
     * Checks every value before anything starts; a wrong one fails in one line naming the setting and what is allowed.
     *
     * @param setting names a setting (its key) as the user gave it: flag, variable or file line
     */
    void check(UnaryOperator<String> setting) {
        if (pollIntervalMs != null) {
            checkRange(setting, "poll-interval-ms", pollIntervalMs, 1, 60_000);
        }
        if (failoverMs != null) {
            checkRange(setting, "failover-ms", failoverMs, 1_000, 600_000);
        }
        if (leaderLockMs != null) {
            checkRange(setting, "leader-lock-ms", leaderLockMs, 1_000, 600_000);
        }
        if (retryAttempts != null) {
            checkRange(setting, "retry-attempts", retryAttempts, 1, 100);
        }
        checkRange(setting, "stuck-batch-ms", stuckBatchMs, 1_000, 86_400_000);
        deadLetters.policy(setting);
        commit.policy(setting);
    }

    static void checkRange(UnaryOperator<String> setting, String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(setting.apply(key) + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    /** Sets what was given on the builder, over the defaults already there. */
    void applyTo(ProjectorConfig.Builder builder, UnaryOperator<String> setting) {
        if (pollIntervalMs != null) {
            builder.pollInterval(Duration.ofMillis(pollIntervalMs));
        }
        if (failoverMs != null) {
            builder.failoverTime(Duration.ofMillis(failoverMs));
        }
        if (leaderLockMs != null) {
            builder.leaderLockDuration(Duration.ofMillis(leaderLockMs));
        }
        if (workerId != null) {
            builder.workerId(workerId);
        }
        if (retryAttempts != null) {
            builder.retryAttempts(retryAttempts);
        }
        builder.parkUnknownTypes(parkUnknownTypes).stuckBatchAfter(Duration.ofMillis(stuckBatchMs)).deadLetters(deadLetters.policy(setting))
                .commit(commit.policy(setting));
    }
}
