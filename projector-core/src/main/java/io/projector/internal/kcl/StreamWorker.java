package io.projector.internal.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.AmazonDynamoDBStreamsAdapterClient;
import com.amazonaws.services.dynamodbv2.streamsadapter.StreamsSchedulerFactory;
import com.amazonaws.services.dynamodbv2.streamsadapter.polling.DynamoDBStreamsPollingConfig;
import io.projector.internal.store.AwsClients;
import io.projector.worker.ProjectorConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.kinesis.common.ConfigsBuilder;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.leases.LeaseManagementConfig;
import software.amazon.kinesis.metrics.MetricsConfig;
import software.amazon.kinesis.metrics.MetricsLevel;
import software.amazon.kinesis.metrics.NullMetricsFactory;
import software.amazon.kinesis.processor.StreamTracker;

/** Builds and runs the KCL scheduler that feeds one source table's stream to {@link ShardProcessor}s. */
public final class StreamWorker {

    private static final Logger log = LoggerFactory.getLogger(StreamWorker.class);

    /** Of a stop's budget, what is kept for shutting the scheduler down after the graceful part. */
    private static final long SHUTDOWN_RESERVE_MILLIS = 5_000;
    /** How long every processor must have been done before the rest of the KCL's graceful shutdown is skipped. */
    private static final long SETTLE_MILLIS = 1_000;
    private static final long SCHEDULER_EXIT_WAIT_MILLIS = 2_000;

    private final Scheduler scheduler;
    private final Thread thread;
    private final LeaseManagementConfig leases;
    private final StreamTracker tracker;

    public StreamWorker(ProjectorConfig config, AwsClients clients, String streamArn, Supplier<ShardProcessor> processors) {
        DynamoDbStreamsClient streams = clients.streams();
        String adapterArn = streamArn;
        if (LocalStreamsClient.isLocalArn(streamArn)) {
            LocalStreamsClient local = new LocalStreamsClient(streams, config.region());
            streams = local;
            adapterArn = local.toAdapter(streamArn);
            log.info("stream {} is DynamoDB Local's: translating its ARN region for the adapter", streamArn);
        }
        AmazonDynamoDBStreamsAdapterClient adapter = new AmazonDynamoDBStreamsAdapterClient(streams, Region.of(config.region()));
        StreamTracker tracker = StreamsSchedulerFactory.createSingleStreamTracker(adapterArn,
                InitialPositionInStreamExtended.newInitialPosition(
                        config.startAtLatest() ? InitialPositionInStream.LATEST : InitialPositionInStream.TRIM_HORIZON));
        ConfigsBuilder configs = new ConfigsBuilder(tracker, config.applicationName(), adapter, clients.dynamoAsync(),
                clients.cloudWatch(), config.workerId(), processors::get);

        LeaseManagementConfig leases = configs.leaseManagementConfig()
                // Adapter 2.0.1 reads this when it builds its lease factory, before it would zero it itself;
                // left at KCL's default it stalls the first shard sync for a minute.
                .shardSyncIntervalMillis(0)
                .failoverTimeMillis(config.failoverTime().toMillis())
                // A SIGKILLed leader keeps the leader lock for its whole duration, and no lease moves
                // until it expires (docs/KCL.md). The heartbeat renews it three times per duration, so
                // a live leader survives two lost heartbeats.
                .dynamoDbLockBasedLeaderLeaseDurationInMillis(config.leaderLockDuration().toMillis())
                .dynamoDbLockBasedLeaderHeartbeatPeriodInMillis(Math.max(1, config.leaderLockDuration().toMillis() / 3))
                // KCL 3.3's graceful hand-off leaves a lease stranded when the leader rebalances a shard whose
                // consumer still waits on its parent (after every rollover): the consumer shuts down without
                // the checkpoint that hands the lease over, and the shard stops for the hand-off timeout plus
                // the failover time (33 s measured in CrashIT; KCL PRs 1729, 1743, 1765, fixed from 3.4.3). A
                // plain reassignment costs at most a re-read of the batch since the last checkpoint, which the
                // watermarks skip, and the old owner's commit is fenced by its conditions.
                .gracefulLeaseHandoffConfig(LeaseManagementConfig.GracefulLeaseHandoffConfig.builder()
                        .isGracefulLeaseHandoffEnabled(false).build());
        if (config.leaseAssignmentInterval() != null) {
            leases.leaseAssignmentIntervalMillis(config.leaseAssignmentInterval().toMillis());
        }
        if (config.workerMetricsInterval() != null) {
            leases.workerUtilizationAwareAssignmentConfig()
                    .workerMetricsReporterFreqInMillis(config.workerMetricsInterval().toMillis())
                    .inMemoryWorkerMetricsCaptureFrequencyMillis(Math.min(1000L, config.workerMetricsInterval().toMillis()));
        }
        DynamoDBStreamsPollingConfig polling = new DynamoDBStreamsPollingConfig(adapter);
        polling.idleTimeBetweenReadsInMillis(config.pollInterval().toMillis());
        polling.maxRecords(1000);

        // KCL's own CloudWatch metrics are off unless asked for; then its CloudWatchMetricsFactory
        // publishes through the worker's real CloudWatch client under the application's name.
        MetricsConfig metrics = configs.metricsConfig().metricsLevel(MetricsLevel.valueOf(config.kclMetricsLevel().name()));
        if (config.kclMetricsLevel() == ProjectorConfig.KclMetricsLevel.NONE) {
            metrics.metricsFactory(new NullMetricsFactory());
        } else {
            log.info("KCL metrics at level {} go to CloudWatch namespace '{}'", config.kclMetricsLevel(), metrics.namespace());
        }

        this.scheduler = StreamsSchedulerFactory.createScheduler(
                configs.checkpointConfig(),
                configs.coordinatorConfig().shardConsumerDispatchPollIntervalMillis(Math.min(1000L, Math.max(50L, config.pollInterval().toMillis() * 5)))
                        // A child shard waits for its parent's end polling the parent's lease; KCL's 10 s
                        // pause added up to 10 s of lag after every rollover (about every 4 h per shard).
                        .parentShardPollIntervalMillis(Math.min(1000L, Math.max(50L, config.pollInterval().toMillis() * 10))),
                leases,
                configs.lifecycleConfig(),
                metrics,
                // Empty polls too: a shard at its tip still notices backfill registrations and reports that it is caught up.
                configs.processorConfig().callProcessRecordsEvenForEmptyRecordList(true),
                configs.retrievalConfig().retrievalSpecificConfig(polling),
                adapter);
        this.leases = leases;
        this.tracker = tracker;
        this.thread = new Thread(scheduler, "kcl-scheduler-" + config.applicationName());
        this.thread.setDaemon(true);
    }

    public void start() {
        createInitialLeases();
        thread.start();
    }

    /**
     * Writes the stream's leases if the lease table holds none, so the scheduler skips the KCL's random
     * first-start wait; true if this call wrote them. The scheduler built the lease-management
     * factory it uses; the first leases come from it.
     */
    public boolean createInitialLeases() {
        return InitialLeases.createIfEmpty(leases.leaseManagementFactory(), tracker.streamConfigList().get(0), 120);
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    /**
     * Stops within {@code timeoutMillis}, whatever state the shards are in. The processors get
     * {@code shutdownRequested} and checkpoint what is committed; once every one of them is done
     * (or the graceful part of the budget is spent) the scheduler is shut down without waiting for
     * the rest of the KCL's graceful shutdown, which can wait for ever on a consumer that never
     * started (a child shard blocked on its parent) and then for the failover time. Leases not
     * released expire after the failover time; nothing committed is lost, nothing is applied twice.
     *
     * @param processorsDone whether every processor that was started has finished its shutdown
     * @return whether the processors finished their shutdown (checkpointed) within the budget
     */
    public boolean stop(long timeoutMillis, BooleanSupplier processorsDone) {
        if (!thread.isAlive()) {
            return true;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long gracefulEnd = deadline - TimeUnit.MILLISECONDS.toNanos(Math.min(SHUTDOWN_RESERVE_MILLIS, timeoutMillis / 4));
        boolean clean = awaitProcessors(scheduler.startGracefulShutdown(), gracefulEnd, processorsDone);
        if (!clean) {
            log.warn("graceful shutdown did not finish within {} ms: stopping the KCL scheduler without it; "
                    + "work not checkpointed is redone by the next owner", timeoutMillis - Math.min(SHUTDOWN_RESERVE_MILLIS, timeoutMillis / 4));
        }
        if (scheduler.shutdownStartTimeMillis() == 0) {
            // It stops the lease renewer and releases the leader lock; it may block, so the deadline bounds the wait.
            Thread shutdown = new Thread(scheduler::shutdown, "kcl-shutdown-" + thread.getName());
            shutdown.setDaemon(true);
            shutdown.start();
            join(shutdown, remainingMillis(deadline));
        }
        // The scheduler's loop then waits up to the failover time for consumers that will not report; not worth waiting for.
        join(thread, Math.min(SCHEDULER_EXIT_WAIT_MILLIS, remainingMillis(deadline)));
        return clean;
    }

    private static boolean awaitProcessors(CompletableFuture<Boolean> graceful, long gracefulEnd, BooleanSupplier processorsDone) {
        long doneSince = 0;
        while (System.nanoTime() < gracefulEnd) {
            try {
                return Boolean.TRUE.equals(graceful.get(100, TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                if (!processorsDone.getAsBoolean()) {
                    doneSince = 0;
                } else if (doneSince == 0) {
                    doneSince = System.nanoTime();
                } else if (System.nanoTime() - doneSince >= TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS)) {
                    log.info("every shard processor has shut down; not waiting for the rest of the KCL's graceful shutdown");
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException e) {
                log.warn("graceful shutdown failed: {}", e.getCause().toString());
                return false;
            }
        }
        return false;
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private static void join(Thread t, long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
