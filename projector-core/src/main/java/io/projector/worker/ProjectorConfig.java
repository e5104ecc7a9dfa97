package io.projector.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Everything a worker needs to know, validated when built: a wrong value fails with one line that
 * names the setting and what is allowed.
 *
 * @param sourceTable            the table whose stream is read (NEW_AND_OLD_IMAGES)
 * @param readModelTable         where projections write, and where watermarks live
 * @param applicationName        the KCL application: names the lease table; two workers with one name share the shards
 * @param engineApplication      the application whose engine items (watermarks, dead letters, backfill state, shard reports,
 *                               all under {@code PROJECTOR#<application>#} in the read-model table) the worker reads and
 *                               writes: its own application, except a replay's, which shares the live application's so
 *                               that the watermark condition keeps it from applying what the live worker applied
 * @param region                 the AWS region
 * @param endpoint               an explicit DynamoDB endpoint (DynamoDB Local), or null for AWS
 * @param credentials            how to authenticate
 * @param entityTypeAttribute    the source attribute that names an item's entity type
 * @param startAtLatest          where a new application starts: false = everything the stream holds (TRIM_HORIZON), true = LATEST
 * @param pollInterval           pause between stream reads of a shard (lower = less lag, more GetRecords calls)
 * @param failoverTime           how long a lease may go unrenewed before another worker takes it
 * @param leaseAssignmentInterval how often the leader (re)assigns leases; null = KCL's default (twice the failover time)
 * @param workerMetricsInterval  how often a worker reports its load for lease balancing; null = KCL's default
 * @param checkpointInterval     at most one KCL checkpoint per shard per interval
 * @param retryAttempts          attempts of a failing read-model call before the shard logs and starts a new round
 * @param retryInitialBackoff    first retry delay; doubles each attempt with jitter
 * @param retryMaxBackoff        the longest retry delay
 * @param workerId               this worker's name in the lease table
 * @param parkMissingType        park changes of items without the entity-type attribute (a likely bug in the writer)
 * @param parkUnknownTypes       park changes of entity types no projection wants (off: tables often hold more types than are projected)
 * @param breakerFailureRate     percentage of failing read-model calls (of the last 20) that opens the circuit breaker and pauses the shards
 * @param breakerOpenDuration    how long the breaker stays open before it lets a few calls probe the table again
 * @param readModelInterceptors  SDK interceptors on the read-model client (auditing, fault injection in tests)
 * @param meterRegistry          where the worker's metrics go (names under {@code projector.}); default: a private in-memory registry
 * @param kclMetricsLevel        the KCL's own CloudWatch metrics: NONE (default), SUMMARY or DETAILED (published with the worker's credentials)
 * @param handOffMargin          a backfill hand-off ends on a shard with the first change this much newer than the scan's end (covers clock skew)
 * @param leaderLockDuration     how long the KCL leader's lock lasts unrenewed: a killed leader is replaced after about this much plus one lease-assignment interval
 * @param deadLetters            how long dead letters are kept (their {@code expiresAt}) and whether with images, redacted or not
 * @param stuckBatchAfter        a shard whose batch has run this long is reported stuck (health 503, {@code projector.shards.stuck})
 * @param commit                 how the read model is written: in transactions, or item by item with guards ({@link CommitPolicy})
 */
public record ProjectorConfig(
        String sourceTable,
        String readModelTable,
        String applicationName,
        String engineApplication,
        String region,
        URI endpoint,
        AwsCredentialsProvider credentials,
        String entityTypeAttribute,
        boolean startAtLatest,
        Duration pollInterval,
        Duration failoverTime,
        Duration leaseAssignmentInterval,
        Duration workerMetricsInterval,
        Duration checkpointInterval,
        int retryAttempts,
        Duration retryInitialBackoff,
        Duration retryMaxBackoff,
        String workerId,
        boolean parkMissingType,
        boolean parkUnknownTypes,
        int breakerFailureRate,
        Duration breakerOpenDuration,
        List<ExecutionInterceptor> readModelInterceptors,
        MeterRegistry meterRegistry,
        KclMetricsLevel kclMetricsLevel,
        Duration handOffMargin,
        Duration leaderLockDuration,
        DeadLetterPolicy deadLetters,
        Duration stuckBatchAfter,
        CommitPolicy commit) {

    /** How much the KCL itself publishes to CloudWatch (namespace: the application name). */
    public enum KclMetricsLevel { NONE, SUMMARY, DETAILED }

    public ProjectorConfig {
        requireTableName("source table", sourceTable);
        requireTableName("read-model table", readModelTable);
        io.projector.internal.plan.EngineKeys.requireApplication(applicationName, "application name");
        io.projector.internal.plan.EngineKeys.requireApplication(engineApplication, "engine application name");
        if (sourceTable.equals(readModelTable)) {
            throw new IllegalArgumentException("read-model table must differ from the source table (both are '" + sourceTable + "')");
        }
        if (applicationName.equals(readModelTable) || applicationName.equals(sourceTable)) {
            throw new IllegalArgumentException("application name '" + applicationName + "' names the KCL lease table, so it must differ from the "
                    + (applicationName.equals(readModelTable) ? "read-model" : "source") + " table");
        }
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("region is required, e.g. us-east-1");
        }
        Objects.requireNonNull(credentials, "credentials");
        if (entityTypeAttribute == null || entityTypeAttribute.isBlank()) {
            throw new IllegalArgumentException("entity-type attribute must not be empty (default: type)");
        }
        requireBetween("poll interval", pollInterval, Duration.ofMillis(1), Duration.ofSeconds(60));
        requireBetween("failover time", failoverTime, Duration.ofSeconds(1), Duration.ofMinutes(10));
        if (leaseAssignmentInterval != null) {
            requireBetween("lease assignment interval", leaseAssignmentInterval, Duration.ofMillis(100), Duration.ofMinutes(10));
        }
        if (workerMetricsInterval != null) {
            requireBetween("worker metrics interval", workerMetricsInterval, Duration.ofMillis(100), Duration.ofMinutes(10));
        }
        requireBetween("checkpoint interval", checkpointInterval, Duration.ZERO, Duration.ofMinutes(10));
        if (retryAttempts < 1 || retryAttempts > 100) {
            throw new IllegalArgumentException("retry attempts must be between 1 and 100, was " + retryAttempts);
        }
        requireBetween("retry initial backoff", retryInitialBackoff, Duration.ofMillis(1), Duration.ofMinutes(1));
        requireBetween("retry max backoff", retryMaxBackoff, retryInitialBackoff, Duration.ofMinutes(5));
        requireName("worker id", workerId);
        if (breakerFailureRate < 1 || breakerFailureRate > 100) {
            throw new IllegalArgumentException("circuit breaker failure rate must be between 1 and 100 (percent), was " + breakerFailureRate);
        }
        requireBetween("circuit breaker open duration", breakerOpenDuration, Duration.ofMillis(100), Duration.ofMinutes(10));
        readModelInterceptors = List.copyOf(readModelInterceptors);
        Objects.requireNonNull(meterRegistry, "meterRegistry");
        Objects.requireNonNull(kclMetricsLevel, "kclMetricsLevel");
        requireBetween("hand-off margin", handOffMargin, Duration.ZERO, Duration.ofHours(1));
        requireBetween("leader lock duration", leaderLockDuration, Duration.ofSeconds(1), Duration.ofMinutes(10));
        Objects.requireNonNull(deadLetters, "deadLetters");
        requireBetween("stuck batch time", stuckBatchAfter, Duration.ofSeconds(1), Duration.ofHours(24));
        Objects.requireNonNull(commit, "commit");
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The same worker settings aimed at another read-model table under another application (its
     * own leases, checkpoints and engine items), reading from {@code TRIM_HORIZON}: what rebuilds run.
     */
    public ProjectorConfig retarget(String readModelTable, String applicationName) {
        return retarget(readModelTable, applicationName, applicationName);
    }

    /**
     * As {@link #retarget(String, String)}, but keeping this application's engine items: a replay
     * has leases and checkpoints of its own and shares the live worker's watermarks, so that it
     * skips what the live worker applied.
     */
    public ProjectorConfig replayAs(String readModelTable, String applicationName) {
        return retarget(readModelTable, applicationName, engineApplication);
    }

    private ProjectorConfig retarget(String readModelTable, String applicationName, String engineApplication) {
        return new ProjectorConfig(sourceTable, readModelTable, applicationName, engineApplication, region, endpoint, credentials, entityTypeAttribute,
                false, pollInterval, failoverTime, leaseAssignmentInterval, workerMetricsInterval, checkpointInterval, retryAttempts,
                retryInitialBackoff, retryMaxBackoff, workerId, parkMissingType, parkUnknownTypes, breakerFailureRate,
                breakerOpenDuration, readModelInterceptors, meterRegistry, kclMetricsLevel, handOffMargin, leaderLockDuration, deadLetters, stuckBatchAfter, commit);
    }

    /**
     * Refuses an application name that cannot name a lease table and stand in the engine's keys
     * ({@code PROJECTOR#<application>#…}), in one line that names the setting as the caller calls it.
     */
    public static void checkApplicationName(String name, String setting) {
        io.projector.internal.plan.EngineKeys.requireApplication(name, setting);
    }

    private static void requireName(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is required");
        }
        if (!value.matches("[A-Za-z0-9_.:@-]{1,255}")) {
            throw new IllegalArgumentException(what + " '" + value + "' may only hold letters, digits and _ . - : @ (at most 255)");
        }
    }

    private static void requireTableName(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is required");
        }
        if (!value.matches("[A-Za-z0-9_.-]{3,255}")) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a DynamoDB table name: 3 to 255 of a-z A-Z 0-9 _ . -");
        }
    }

    private static void requireBetween(String what, Duration value, Duration min, Duration max) {
        if (value == null) {
            throw new IllegalArgumentException(what + " is required");
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(what + " must be between " + min.toMillis() + " ms and " + max.toMillis() + " ms, was " + value.toMillis() + " ms");
        }
    }

    /** Builds a config; defaults suit AWS. {@link #fastLocalTuning()} suits DynamoDB Local and tests. */
    public static final class Builder {
        private String sourceTable;
        private String readModelTable;
        private String applicationName;
        private String region = "us-east-1";
        private URI endpoint;
        private AwsCredentialsProvider credentials;
        private String entityTypeAttribute = "type";
        private boolean startAtLatest;
        private Duration pollInterval = Duration.ofMillis(500);
        private Duration failoverTime = Duration.ofSeconds(10);
        // KCL's default (twice the failover time, 20 s) is also how long a new application waits for its first
        // lease (the leader's first pass finds no load report yet) and how late a new leader notices a dead
        // one; 5 s costs the leader one lease-table scan per 5 s (docs/KCL.md).
        private Duration leaseAssignmentInterval = Duration.ofSeconds(5);
        private Duration workerMetricsInterval;
        private Duration checkpointInterval = Duration.ofSeconds(5);
        private int retryAttempts = 6;
        private Duration retryInitialBackoff = Duration.ofMillis(50);
        private Duration retryMaxBackoff = Duration.ofSeconds(5);
        private String workerId;
        private boolean parkMissingType = true;
        private boolean parkUnknownTypes;
        private int breakerFailureRate = 50;
        private Duration breakerOpenDuration = Duration.ofSeconds(10);
        private final List<ExecutionInterceptor> readModelInterceptors = new ArrayList<>();
        private MeterRegistry meterRegistry;
        private KclMetricsLevel kclMetricsLevel = KclMetricsLevel.NONE;
        private Duration handOffMargin = Duration.ofSeconds(60);
        // KCL's default is 2 minutes; 10 s replaces a killed leader within 10 s + one assignment interval
        // for one conditional write every ~3.3 s (docs/KCL.md, "Failover").
        private Duration leaderLockDuration = Duration.ofSeconds(10);
        private DeadLetterPolicy deadLetters = DeadLetterPolicy.DEFAULT;
        private Duration stuckBatchAfter = Duration.ofMinutes(5);
        private CommitPolicy commit = CommitPolicy.TRANSACTIONAL;

        public Builder sourceTable(String v) { sourceTable = v; return this; }
        public Builder readModelTable(String v) { readModelTable = v; return this; }
        public Builder applicationName(String v) { applicationName = v; return this; }
        public Builder region(String v) { region = v; return this; }
        public Builder endpoint(URI v) { endpoint = v; return this; }
        public Builder credentials(AwsCredentialsProvider v) { credentials = v; return this; }
        public Builder entityTypeAttribute(String v) { entityTypeAttribute = v; return this; }
        public Builder startAtLatest(boolean v) { startAtLatest = v; return this; }
        public Builder pollInterval(Duration v) { pollInterval = v; return this; }
        public Builder failoverTime(Duration v) { failoverTime = v; return this; }
        public Builder leaseAssignmentInterval(Duration v) { leaseAssignmentInterval = v; return this; }
        public Builder workerMetricsInterval(Duration v) { workerMetricsInterval = v; return this; }
        public Builder checkpointInterval(Duration v) { checkpointInterval = v; return this; }
        public Builder retryAttempts(int v) { retryAttempts = v; return this; }
        public Builder retryInitialBackoff(Duration v) { retryInitialBackoff = v; return this; }
        public Builder retryMaxBackoff(Duration v) { retryMaxBackoff = v; return this; }
        public Builder workerId(String v) { workerId = v; return this; }
        public Builder parkMissingType(boolean v) { parkMissingType = v; return this; }
        public Builder parkUnknownTypes(boolean v) { parkUnknownTypes = v; return this; }
        public Builder breakerFailureRate(int v) { breakerFailureRate = v; return this; }
        public Builder breakerOpenDuration(Duration v) { breakerOpenDuration = v; return this; }
        public Builder readModelInterceptor(ExecutionInterceptor v) { readModelInterceptors.add(v); return this; }
        /** E.g. a PrometheusMeterRegistry to scrape; without one the worker keeps its metrics to itself. */
        public Builder meterRegistry(MeterRegistry v) { meterRegistry = v; return this; }
        public Builder kclMetricsLevel(KclMetricsLevel v) { kclMetricsLevel = v; return this; }
        public Builder handOffMargin(Duration v) { handOffMargin = v; return this; }
        public Builder leaderLockDuration(Duration v) { leaderLockDuration = v; return this; }
        public Builder deadLetters(DeadLetterPolicy v) { deadLetters = v; return this; }
        /** Longer than the slowest batch you expect, retries of a throttled table included: a stuck shard fails the health check. */
        public Builder stuckBatchAfter(Duration v) { stuckBatchAfter = v; return this; }
        public Builder commit(CommitPolicy v) { commit = v; return this; }

        /**
         * Low lag and a start in seconds, for DynamoDB Local: 20 ms polling, 3 s failover, 1 s lease
         * assignment and load reports, a 3 s leader lock. On AWS these would multiply API calls for little gain.
         */
        public Builder fastLocalTuning() {
            pollInterval = Duration.ofMillis(20);
            failoverTime = Duration.ofSeconds(3);
            leaseAssignmentInterval = Duration.ofSeconds(1);
            workerMetricsInterval = Duration.ofSeconds(1);
            checkpointInterval = Duration.ofSeconds(1);
            handOffMargin = Duration.ofSeconds(2);
            leaderLockDuration = Duration.ofSeconds(3);
            return this;
        }

        public ProjectorConfig build() {
            String app = applicationName != null ? applicationName : (sourceTable == null ? null : "projector-" + sourceTable);
            String worker = workerId != null ? workerId : defaultWorkerId();
            return new ProjectorConfig(sourceTable, readModelTable, app, app, region, endpoint,
                    credentials != null ? credentials : DefaultCredentialsProvider.builder().build(),
                    entityTypeAttribute, startAtLatest, pollInterval, failoverTime, leaseAssignmentInterval,
                    workerMetricsInterval, checkpointInterval, retryAttempts, retryInitialBackoff, retryMaxBackoff, worker,
                    parkMissingType, parkUnknownTypes, breakerFailureRate, breakerOpenDuration, readModelInterceptors,
                    meterRegistry != null ? meterRegistry : new SimpleMeterRegistry(), kclMetricsLevel, handOffMargin,
                    leaderLockDuration, deadLetters, stuckBatchAfter, commit);
        }

        private static String defaultWorkerId() {
            String host = System.getenv().getOrDefault("HOSTNAME", "worker").replaceAll("[^A-Za-z0-9_.-]", "-");
            return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        }
    }
}
