package io.projector.internal.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.AmazonDynamoDBStreamsAdapterClient;
import com.amazonaws.services.dynamodbv2.streamsadapter.StreamsSchedulerFactory;
import com.amazonaws.services.dynamodbv2.streamsadapter.polling.DynamoDBStreamsPollingConfig;
import io.projector.ProjectorConfig;
import java.util.concurrent.TimeUnit;
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
import io.projector.internal.AwsClients;

/** Builds and runs the KCL scheduler that feeds one source table's stream to {@link ShardProcessor}s. */
public final class StreamWorker {

    private static final Logger log = LoggerFactory.getLogger(StreamWorker.class);

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
                .dynamoDbLockBasedLeaderHeartbeatPeriodInMillis(Math.max(1, config.leaderLockDuration().toMillis() / 3));
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

    /** Graceful stop: processors get shutdownRequested and checkpoint, leases are released. */
    public boolean stop(long timeoutMillis) {
        if (!thread.isAlive()) {
            return true;
        }
        boolean clean;
        try {
            clean = Boolean.TRUE.equals(scheduler.startGracefulShutdown().get(timeoutMillis, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            clean = false;
        } catch (Exception e) {
            log.warn("graceful shutdown did not finish: {}", e.toString());
            clean = false;
        }
        if (!clean) {
            scheduler.shutdown();
        }
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return clean;
    }
}
