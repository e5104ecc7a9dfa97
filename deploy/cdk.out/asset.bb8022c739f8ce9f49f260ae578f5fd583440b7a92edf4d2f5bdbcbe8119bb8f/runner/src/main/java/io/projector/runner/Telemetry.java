package io.projector.runner;

import io.micrometer.cloudwatch2.CloudWatchConfig;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;

/**
 * The worker's metrics: the engine's meters (names under {@code projector.}) go to a composite
 * registry that always holds a Prometheus registry (scraped at {@code GET /metrics}, with JVM and
 * process metrics beside them) and, when a namespace is configured, a CloudWatch registry that
 * publishes the {@code projector.*} meters once a minute through the SDK v2 client.
 */
final class Telemetry implements AutoCloseable {

    /** CloudWatch's rule for a namespace (spaces left out), and not AWS's own. */
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._/#:-]{1,255}");

    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private CloudWatchAsyncClient cloudWatchClient;

    Telemetry() {
        registry.add(prometheus);
        // JVM and process figures for Prometheus only: in CloudWatch each would be a paid custom metric.
        new JvmMemoryMetrics().bindTo(prometheus);
        new JvmThreadMetrics().bindTo(prometheus);
        new ClassLoaderMetrics().bindTo(prometheus);
        new ProcessorMetrics().bindTo(prometheus);
        new UptimeMetrics().bindTo(prometheus);
        gc.bindTo(prometheus);
    }

    /** Checks a CloudWatch namespace; returns null if it is fine, else what is wrong. */
    static String checkNamespace(String namespace) {
        if (!NAMESPACE.matcher(namespace).matches()) {
            return "must be 1 to 255 of a-z A-Z 0-9 . _ - / # :";
        }
        if (namespace.startsWith("AWS/")) {
            return "must not start with AWS/ (reserved for AWS services)";
        }
        return null;
    }

    /** Where the engine's meters go. */
    MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition (format 0.0.4). */
    String scrape() {
        return prometheus.scrape();
    }

    /** Also publish the projector.* meters to CloudWatch under the namespace, every {@code step}. */
    void publishToCloudWatch(String namespace, String region, AwsCredentialsProvider credentials, Duration step) {
        cloudWatchClient = CloudWatchAsyncClient.builder().region(Region.of(region)).credentialsProvider(credentials)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()).build();
        CloudWatchConfig config = new CloudWatchConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String namespace() {
                return namespace;
            }

            @Override
            public Duration step() {
                return step;
            }
        };
        registry.add(new CloudWatchMeterRegistry(config, Clock.SYSTEM, cloudWatchClient));
    }

    /** Stops publishing; a CloudWatch registry sends its last minute first. */
    @Override
    public void close() {
        registry.getRegistries().forEach(MeterRegistry::close);
        registry.close();
        gc.close();
        if (cloudWatchClient != null) {
            cloudWatchClient.close();
        }
    }
}
