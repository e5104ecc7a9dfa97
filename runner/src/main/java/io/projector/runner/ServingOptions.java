package io.projector.runner;

import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/** What the long-running worker serves and publishes: health, readiness and metrics over HTTP, and CloudWatch. */
@SettingGroup
final class ServingOptions {

    @Option(names = "--http-port", defaultValue = "8080",
            description = "Port of GET /health, /ready and /metrics (env PROJECTOR_HTTP_PORT; default ${DEFAULT-VALUE}; 0: a free one).")
    int httpPort;

    @Option(names = "--http-host", defaultValue = "127.0.0.1",
            description = "Address the HTTP endpoints listen on (env PROJECTOR_HTTP_HOST; default ${DEFAULT-VALUE}, this machine only; "
                    + "the container image sets 0.0.0.0, every interface, for the orchestrator's health checks).")
    String httpHost;

    @Option(names = "--cloudwatch-namespace",
            description = "Also publish the projector metrics to CloudWatch under this namespace, once a minute "
                    + "(env PROJECTOR_CLOUDWATCH_NAMESPACE; default: not published).")
    String cloudwatchNamespace;

    @Option(names = "--kcl-metrics", defaultValue = "NONE",
            description = "The KCL's own CloudWatch metrics: NONE, SUMMARY or DETAILED (env PROJECTOR_KCL_METRICS; default ${DEFAULT-VALUE}).")
    String kclMetrics;

    /**
     * Checks every value before anything starts.
     *
     * @param setting names a setting (its key) as the user gave it: flag, variable or file line
     * @param local   whether the embedded DynamoDB Local runs: nothing goes to CloudWatch then
     */
    void check(UnaryOperator<String> setting, boolean local) {
        TuningOptions.checkRange(setting, "http-port", httpPort, 0, 65535);
        if (httpHost == null || httpHost.isBlank()) {
            throw new IllegalArgumentException(setting.apply("http-host") + " must be an address to listen on, e.g. 0.0.0.0 or 127.0.0.1");
        }
        if (!List.of("NONE", "SUMMARY", "DETAILED").contains(kclMetrics.trim().toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException(setting.apply("kcl-metrics") + " must be NONE, SUMMARY or DETAILED, was '" + kclMetrics + "'");
        }
        if (cloudWatch()) {
            String wrong = Telemetry.checkNamespace(cloudwatchNamespace.trim());
            if (wrong != null) {
                throw new IllegalArgumentException(setting.apply("cloudwatch-namespace") + " " + wrong + ", was '" + cloudwatchNamespace + "'");
            }
            if (local) {
                throw new IllegalArgumentException(setting.apply("cloudwatch-namespace") + " publishes to AWS CloudWatch: not with --local");
            }
        }
        if (local && !kclMetrics.trim().equalsIgnoreCase("NONE")) {
            throw new IllegalArgumentException(setting.apply("kcl-metrics") + " publishes to AWS CloudWatch: not with --local");
        }
    }

    boolean cloudWatch() {
        return cloudwatchNamespace != null && !cloudwatchNamespace.isBlank();
    }
}
