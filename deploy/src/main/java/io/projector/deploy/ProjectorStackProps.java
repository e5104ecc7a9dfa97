package io.projector.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What {@link ProjectorStack} deploys. Build it with {@link #builder()}, or from CDK context
 * ({@code -c key=value}, or {@code cdk.json}) with {@link #fromContext}; {@link Builder#build()}
 * checks every value and names the first wrong one.
 *
 * @param sourceTableName            the table whose stream is projected
 * @param createSourceTable          create it (stream NEW_AND_OLD_IMAGES, on-demand, PITR); else reference it
 * @param sourceStreamArn            the existing table's stream ARN (required when not created, ignored otherwise)
 * @param readModelTableName         the table the projections write
 * @param createReadModelTable       create it (PK/SK, GSI1, GSI2, on-demand, PITR); else reference it
 * @param applicationName            KCL application name = lease table name (the worker's default: projector-&lt;source&gt;)
 * @param sharedReadModelLeadingKeys when the read-model table is shared with other services: the partition-key
 *                                   prefixes this worker's projections write (e.g. {@code CUSTOMER#}); the task
 *                                   role is then limited to them plus its own engine items
 *                                   ({@code PROJECTOR#<applicationName>#}) by a {@code dynamodb:LeadingKeys} condition. Empty: the table is the worker's own
 * @param image                      where the container image comes from
 * @param vpcId                      an existing VPC (looked up; needs the stack's account and region); null: a new one
 * @param clusterName                an existing ECS cluster in that VPC; null: a new one
 * @param cpu                        Fargate task CPU units (256, 512, 1024, ...)
 * @param memoryMiB                  Fargate task memory; the JVM takes 75 % of it as heap
 * @param arm64                      run on Graviton (the image must be built for linux/arm64)
 * @param minTasks                   fewest tasks (auto-scaling floor), at least 1
 * @param maxTasks                   most tasks; more tasks than the stream has shards sit idle
 * @param httpPort                   PROJECTOR_HTTP_PORT: where the worker serves /health
 * @param metricsNamespace           CloudWatch namespace the worker publishes to (PutMetricData is limited to it)
 * @param lagMetricName              the worker's lag metric in CloudWatch (milliseconds, any dimensions; alarm
 *                                   and scaling use the maximum over all of them)
 * @param deadLetterMetricName       the worker's count of parked changes in CloudWatch (alarm on the sum over
 *                                   all its dimensions)
 * @param lagAlarmThresholdMs        the lag alarm fires above this, 3 of 5 minutes
 * @param scaleOutLagMs              one task more while the lag is above this (two more above ten times it)
 * @param scaleInLagMs               one task fewer while the lag is below this
 * @param alarmTopicArn              an SNS topic the alarms notify; null: none
 * @param extraEnvironment           more environment variables for the worker (e.g. PROJECTOR_PROJECTIONS)
 * @param egressTo                   where the task may open HTTPS connections: managed prefix lists ({@code pl-…}, the
 *                                   gateway endpoints of DynamoDB and S3) and CIDR blocks (the VPC's, where its
 *                                   interface endpoints listen). Empty: any address on 443 (through a NAT gateway)
 */
public record ProjectorStackProps(
        String sourceTableName,
        boolean createSourceTable,
        String sourceStreamArn,
        String readModelTableName,
        boolean createReadModelTable,
        String applicationName,
        List<String> sharedReadModelLeadingKeys,
        ImageSource image,
        String vpcId,
        String clusterName,
        int cpu,
        int memoryMiB,
        boolean arm64,
        int minTasks,
        int maxTasks,
        int httpPort,
        String metricsNamespace,
        String lagMetricName,
        String deadLetterMetricName,
        long lagAlarmThresholdMs,
        long scaleOutLagMs,
        long scaleInLagMs,
        String alarmTopicArn,
        Map<String, String> extraEnvironment,
        List<String> egressTo) {

    /**
     * The partition-key prefix the engine reserves for its items (watermarks, dead letters, backfill
     * state, hand-off markers, shard reports), each application's under {@code PROJECTOR#<application>#}.
     */
    public static final String RESERVED_PREFIX = "PROJECTOR#";

    /** Engine item kinds: an application with one of these names would reach the keys of the version before. */
    private static final List<String> ENGINE_ITEM_KINDS = List.of("WATERMARK", "DLQ", "BACKFILL", "APPLIED", "SHARD");

    private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");
    private static final Pattern STREAM_ARN = Pattern.compile("arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\\d{12}:table/([a-zA-Z0-9_.-]{3,255})/stream/.+");
    private static final Pattern METRIC_NAMESPACE = Pattern.compile("[A-Za-z0-9._/#:-]{1,255}");
    private static final Pattern METRIC_NAME = Pattern.compile("[A-Za-z0-9._/#:@-]{1,255}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern PREFIX_LIST = Pattern.compile("pl-[0-9a-f]{8,17}");
    private static final Pattern CIDR = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)/([0-9]|[12]\\d|3[0-2])");

    public ProjectorStackProps {
        sharedReadModelLeadingKeys = List.copyOf(sharedReadModelLeadingKeys);
        extraEnvironment = Map.copyOf(extraEnvironment);
        egressTo = List.copyOf(egressTo);
    }

    /** The worker shares the read-model table with other services (LeadingKeys condition on). */
    public boolean readModelShared() {
        return !sharedReadModelLeadingKeys.isEmpty();
    }

    /** The application's engine items: what the worker of this stack alone may address under {@link #RESERVED_PREFIX}. */
    public String engineKeyPattern() {
        return RESERVED_PREFIX + applicationName + "#*";
    }

    /** The {@code dynamodb:LeadingKeys} patterns: each prefix with {@code *}, plus the application's {@code PROJECTOR#<application>#*}. */
    public List<String> leadingKeyPatterns() {
        List<String> patterns = new ArrayList<>();
        for (String prefix : sharedReadModelLeadingKeys) {
            String pattern = prefix.endsWith("*") ? prefix : prefix + "*";
            if (!patterns.contains(pattern)) {
                patterns.add(pattern);
            }
        }
        patterns.add(engineKeyPattern());
        return List.copyOf(patterns);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the props from CDK context values (strings from {@code -c key=value}, or JSON values
     * from {@code cdk.json}). Keys: sourceTable (required), createSourceTable, sourceStreamArn,
     * readModelTable, createReadModelTable, applicationName, sharedReadModelLeadingKeys (comma
     * separated), image (a registry URI), ecrRepository + imageTag, vpcId, clusterName, cpu,
     * memory, arm64, minTasks, maxTasks, httpPort, metricsNamespace, lagMetric, deadLetterMetric,
     * lagAlarmMs, scaleOutLagMs, scaleInLagMs, alarmTopicArn, projections, egressTo (comma separated). Without image or
     * ecrRepository the image is built from {@code deploy/Dockerfile} under {@code repoRoot}.
     */
    public static ProjectorStackProps fromContext(Function<String, Object> context, Path repoRoot) {
        Builder b = builder();
        String source = string(context, "sourceTable");
        if (source == null) {
            throw new IllegalArgumentException("context sourceTable is required (-c sourceTable=NAME)");
        }
        b.sourceTableName(source);
        b.createSourceTable(bool(context, "createSourceTable", false));
        b.sourceStreamArn(string(context, "sourceStreamArn"));
        b.readModelTableName(string(context, "readModelTable"));
        b.createReadModelTable(bool(context, "createReadModelTable", true));
        b.applicationName(string(context, "applicationName"));
        b.egressTo(commaSeparated(context, "egressTo"));
        b.sharedReadModelLeadingKeys(commaSeparated(context, "sharedReadModelLeadingKeys"));
        String uri = string(context, "image");
        String repository = string(context, "ecrRepository");
        if (uri != null && repository != null) {
            throw new IllegalArgumentException("context: give image or ecrRepository, not both");
        }
        if (uri != null) {
            b.image(ImageSource.registry(uri));
        } else if (repository != null) {
            b.image(ImageSource.ecr(repository, stringOr(context, "imageTag", "latest")));
        } else {
            String buildImage = string(context, "buildImage");
            String runtimeImage = string(context, "runtimeImage");
            if (buildImage == null || runtimeImage == null) {
                throw new IllegalArgumentException("context buildImage and runtimeImage are required to build the image from deploy/Dockerfile: "
                        + "the base images pinned by digest, e.g. -c buildImage=maven:3.9-eclipse-temurin-17@sha256:<digest> "
                        + "-c runtimeImage=eclipse-temurin:17-jre@sha256:<digest> (docker buildx imagetools inspect IMAGE prints it); "
                        + "or give -c image=URI or -c ecrRepository=NAME");
            }
            b.image(ImageSource.asset(repoRoot, buildImage, runtimeImage));
        }
        b.vpcId(string(context, "vpcId"));
        b.clusterName(string(context, "clusterName"));
        b.cpu(integer(context, "cpu", b.cpu));
        b.memoryMiB(integer(context, "memory", b.memoryMiB));
        b.arm64(bool(context, "arm64", false));
        b.minTasks(integer(context, "minTasks", b.minTasks));
        b.maxTasks(integer(context, "maxTasks", b.maxTasks));
        b.httpPort(integer(context, "httpPort", b.httpPort));
        b.metricsNamespace(stringOr(context, "metricsNamespace", b.metricsNamespace));
        b.lagMetricName(stringOr(context, "lagMetric", b.lagMetricName));
        b.deadLetterMetricName(stringOr(context, "deadLetterMetric", b.deadLetterMetricName));
        b.lagAlarmThresholdMs(integer(context, "lagAlarmMs", b.lagAlarmThresholdMs));
        b.scaleOutLagMs(integer(context, "scaleOutLagMs", b.scaleOutLagMs));
        b.scaleInLagMs(integer(context, "scaleInLagMs", b.scaleInLagMs));
        b.alarmTopicArn(string(context, "alarmTopicArn"));
        String projections = string(context, "projections");
        if (projections != null) {
            b.environment("PROJECTOR_PROJECTIONS", projections);
        }
        return b.build();
    }

    /** The non-blank entries of a comma-separated value, trimmed; none when the key is absent. */
    private static List<String> commaSeparated(Function<String, Object> context, String key) {
        String value = string(context, key);
        List<String> entries = new ArrayList<>();
        if (value != null) {
            for (String entry : value.split(",")) {
                if (!entry.isBlank()) {
                    entries.add(entry.trim());
                }
            }
        }
        return entries;
    }

    private static String string(Function<String, Object> context, String key) {
        Object v = context.apply(key);
        if (v == null) {
            return null;
        }
        String s = String.valueOf(v).trim();
        return s.isEmpty() ? null : s;
    }

    private static String stringOr(Function<String, Object> context, String key, String otherwise) {
        String s = string(context, key);
        return s == null ? otherwise : s;
    }

    private static boolean bool(Function<String, Object> context, String key, boolean otherwise) {
        String s = string(context, key);
        if (s == null) {
            return otherwise;
        }
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("context " + key + " must be true or false, was '" + s + "'");
    }

    private static long integer(Function<String, Object> context, String key, long otherwise) {
        String s = string(context, key);
        if (s == null) {
            return otherwise;
        }
        try {
            return s.contains(".") ? (long) Double.parseDouble(s) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("context " + key + " must be a whole number, was '" + s + "'");
        }
    }

    private static int integer(Function<String, Object> context, String key, int otherwise) {
        long v = integer(context, key, (long) otherwise);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("context " + key + " is out of range: " + v);
        }
        return (int) v;
    }

    /** Where the worker's image comes from. */
    public sealed interface ImageSource {

        /**
         * Built from {@code deploy/Dockerfile} at deploy time (needs Docker then, not at synth), on the
         * base images given, each {@code name[:tag]@sha256:<64 hex>} (the Dockerfile's BUILD_IMAGE and RUNTIME_IMAGE).
         */
        static ImageSource asset(Path repositoryRoot, String buildImage, String runtimeImage) {
            return new Asset(repositoryRoot, buildImage, runtimeImage);
        }

        /** A public or otherwise pullable image, e.g. {@code ghcr.io/acme/projector:1.2}. */
        static ImageSource registry(String uri) {
            return new Registry(uri);
        }

        /** An image in an ECR repository of this account and region; the execution role may pull it. */
        static ImageSource ecr(String repositoryName, String tag) {
            return new Ecr(repositoryName, tag);
        }

        record Asset(Path repositoryRoot, String buildImage, String runtimeImage) implements ImageSource {
            /** A reference pinned by digest: what is built on cannot change under the same name. */
            static final Pattern PINNED = Pattern.compile("[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}");

            public Asset {
                Objects.requireNonNull(repositoryRoot, "repositoryRoot");
                for (String[] image : new String[][] {{"buildImage", buildImage}, {"runtimeImage", runtimeImage}}) {
                    if (image[1] == null || !PINNED.matcher(image[1]).matches()) {
                        throw new IllegalArgumentException(image[0] + " must be an image pinned by digest, name[:tag]@sha256:<64 hex digits>, was '"
                                + image[1] + "'");
                    }
                }
            }

            /** The Dockerfile's build arguments. */
            public Map<String, String> buildArgs() {
                return Map.of("BUILD_IMAGE", buildImage, "RUNTIME_IMAGE", runtimeImage);
            }
        }

        record Registry(String uri) implements ImageSource {
            public Registry {
                if (uri == null || uri.isBlank() || uri.chars().anyMatch(Character::isWhitespace)) {
                    throw new IllegalArgumentException("image must be an image URI, was '" + uri + "'");
                }
            }
        }

        record Ecr(String repositoryName, String tag) implements ImageSource {
            public Ecr {
                if (repositoryName == null || !repositoryName.matches("(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")) {
                    throw new IllegalArgumentException("ecrRepository must be an ECR repository name, was '" + repositoryName + "'");
                }
                if (tag == null || !tag.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
                    throw new IllegalArgumentException("imageTag must be a Docker tag, was '" + tag + "'");
                }
            }
        }
    }

    public static final class Builder {
        private String sourceTableName;
        private boolean createSourceTable;
        private String sourceStreamArn;
        private String readModelTableName;
        private boolean createReadModelTable = true;
        private String applicationName;
        private List<String> sharedReadModelLeadingKeys = List.of();
        private ImageSource image;
        private String vpcId;
        private String clusterName;
        private int cpu = 512;
        private int memoryMiB = 1024;
        private boolean arm64;
        private int minTasks = 1;
        private int maxTasks = 4;
        private int httpPort = 8080;
        private String metricsNamespace = "Projector";
        private String lagMetricName = "projector.shard.lag.value";
        private String deadLetterMetricName = "projector.parked.count";
        private long lagAlarmThresholdMs = 60_000;
        private long scaleOutLagMs = 30_000;
        private long scaleInLagMs = 1_000;
        private String alarmTopicArn;
        private final Map<String, String> extraEnvironment = new LinkedHashMap<>();
        private List<String> egressTo = List.of();

        private Builder() {
        }

        public Builder sourceTableName(String v) { sourceTableName = v; return this; }
        public Builder createSourceTable(boolean v) { createSourceTable = v; return this; }
        public Builder sourceStreamArn(String v) { sourceStreamArn = v; return this; }
        public Builder readModelTableName(String v) { readModelTableName = v; return this; }
        public Builder createReadModelTable(boolean v) { createReadModelTable = v; return this; }
        public Builder applicationName(String v) { applicationName = v; return this; }
        public Builder sharedReadModelLeadingKeys(List<String> v) { sharedReadModelLeadingKeys = List.copyOf(v); return this; }
        public Builder image(ImageSource v) { image = v; return this; }
        public Builder vpcId(String v) { vpcId = v; return this; }
        public Builder clusterName(String v) { clusterName = v; return this; }
        public Builder cpu(int v) { cpu = v; return this; }
        public Builder memoryMiB(int v) { memoryMiB = v; return this; }
        public Builder arm64(boolean v) { arm64 = v; return this; }
        public Builder minTasks(int v) { minTasks = v; return this; }
        public Builder maxTasks(int v) { maxTasks = v; return this; }
        public Builder httpPort(int v) { httpPort = v; return this; }
        public Builder metricsNamespace(String v) { metricsNamespace = v; return this; }
        public Builder lagMetricName(String v) { lagMetricName = v; return this; }
        public Builder deadLetterMetricName(String v) { deadLetterMetricName = v; return this; }
        public Builder lagAlarmThresholdMs(long v) { lagAlarmThresholdMs = v; return this; }
        public Builder scaleOutLagMs(long v) { scaleOutLagMs = v; return this; }
        public Builder scaleInLagMs(long v) { scaleInLagMs = v; return this; }
        public Builder alarmTopicArn(String v) { alarmTopicArn = v; return this; }
        public Builder environment(String name, String value) { extraEnvironment.put(name, value); return this; }
        public Builder egressTo(List<String> v) { egressTo = List.copyOf(v); return this; }

        public ProjectorStackProps build() {
            require(sourceTableName != null && TABLE_NAME.matcher(sourceTableName).matches(),
                    "sourceTableName must be a DynamoDB table name, was '" + sourceTableName + "'");
            String streamArn = null;
            if (!createSourceTable) {
                require(sourceStreamArn != null,
                        "sourceStreamArn is required for an existing source table (aws dynamodb describe-table --table-name "
                                + sourceTableName + " --query Table.LatestStreamArn)");
                var m = STREAM_ARN.matcher(sourceStreamArn);
                require(m.matches(), "sourceStreamArn must be a DynamoDB stream ARN, was '" + sourceStreamArn + "'");
                require(m.group(1).equals(sourceTableName),
                        "sourceStreamArn belongs to table '" + m.group(1) + "', not to sourceTableName '" + sourceTableName + "'");
                streamArn = sourceStreamArn;
            }
            String readModel = readModelTableName != null ? readModelTableName : sourceTableName + "-read-model";
            require(TABLE_NAME.matcher(readModel).matches(), "readModelTableName must be a DynamoDB table name, was '" + readModel + "'");
            require(!readModel.equals(sourceTableName), "the read-model table must not be the source table");
            String app = applicationName != null ? applicationName : "projector-" + sourceTableName;
            // The KCL adds "-CoordinatorState" (17 characters) and "-WorkerMetricStats" (18) to the name.
            require(app.length() <= 255 - 18 && TABLE_NAME.matcher(app).matches(),
                    "applicationName must be a DynamoDB table name of at most 237 characters, was '" + app + "'");
            require(!app.equals(sourceTableName) && !app.equals(readModel), "applicationName must differ from the table names");
            require(!ENGINE_ITEM_KINDS.contains(app), "applicationName '" + app + "' is reserved (an engine item kind: " + ENGINE_ITEM_KINDS + ")");
            for (String prefix : sharedReadModelLeadingKeys) {
                require(prefix != null && !prefix.isBlank() && !prefix.equals("*"),
                        "sharedReadModelLeadingKeys must be key prefixes such as CUSTOMER#, was '" + prefix + "'");
                require(prefix.indexOf('*') < 0 || prefix.indexOf('*') == prefix.length() - 1,
                        "sharedReadModelLeadingKeys: '*' only at the end of a prefix, was '" + prefix + "'");
                // The engine's prefix would reach every application's engine items; the stack adds this one's itself.
                require(!RESERVED_PREFIX.startsWith(prefix.replace("*", "")) && !prefix.startsWith(RESERVED_PREFIX),
                        "sharedReadModelLeadingKeys: '" + prefix + "' would reach the engine items of every application under "
                                + RESERVED_PREFIX + "; the stack grants this application's own (" + RESERVED_PREFIX + app + "#*)");
            }
            require(image != null, "image is required");
            require(vpcId == null || vpcId.matches("vpc-[0-9a-f]{8,17}"), "vpcId must look like vpc-0123abcd, was '" + vpcId + "'");
            require(clusterName == null || vpcId != null, "clusterName (an existing cluster) needs the vpcId of its VPC");
            require(List.of(256, 512, 1024, 2048, 4096, 8192, 16384).contains(cpu),
                    "cpu must be a Fargate CPU value (256, 512, 1024, 2048, 4096, 8192, 16384), was " + cpu);
            require(memoryMiB >= 512 && memoryMiB <= 122_880, "memoryMiB must be 512..122880, was " + memoryMiB);
            require(minTasks >= 1, "minTasks must be at least 1, was " + minTasks);
            require(maxTasks >= minTasks, "maxTasks must be at least minTasks (" + minTasks + "), was " + maxTasks);
            require(httpPort >= 1 && httpPort <= 65535, "httpPort must be 1..65535, was " + httpPort);
            // The worker's own rule for --cloudwatch-namespace; no quotes, so the names fit in a Metrics Insights query.
            require(metricsNamespace != null && METRIC_NAMESPACE.matcher(metricsNamespace).matches() && !metricsNamespace.startsWith("AWS/"),
                    "metricsNamespace must be 1 to 255 of a-z A-Z 0-9 . _ - / # : and not start with AWS/, was '" + metricsNamespace + "'");
            require(lagMetricName != null && METRIC_NAME.matcher(lagMetricName).matches(), "lagMetricName must be a metric name, was '" + lagMetricName + "'");
            require(deadLetterMetricName != null && METRIC_NAME.matcher(deadLetterMetricName).matches(),
                    "deadLetterMetricName must be a metric name, was '" + deadLetterMetricName + "'");
            require(lagAlarmThresholdMs > 0, "lagAlarmThresholdMs must be positive");
            require(scaleInLagMs > 0 && scaleOutLagMs > scaleInLagMs,
                    "scaleOutLagMs (" + scaleOutLagMs + ") must be above scaleInLagMs (" + scaleInLagMs + ") and both positive");
            require(alarmTopicArn == null || alarmTopicArn.matches("arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]+(\\.fifo)?"),
                    "alarmTopicArn must be an SNS topic ARN, was '" + alarmTopicArn + "'");
            for (String name : extraEnvironment.keySet()) {
                require(ENV_NAME.matcher(name).matches(), "environment variable name '" + name + "' is not valid");
                require(!ProjectorStack.MANAGED_ENVIRONMENT.contains(name), name + " is set by the stack itself");
            }
            for (String target : egressTo) {
                require(PREFIX_LIST.matcher(target).matches() || CIDR.matcher(target).matches(),
                        "egressTo takes managed prefix list ids (pl-0123abcd) and CIDR blocks (10.0.0.0/16), was '" + target + "'");
                require(!target.endsWith("/0"), "egressTo '" + target + "' is every address: leave egressTo out instead");
            }
            return new ProjectorStackProps(sourceTableName, createSourceTable, streamArn, readModel, createReadModelTable, app,
                    sharedReadModelLeadingKeys, image, vpcId, clusterName, cpu, memoryMiB, arm64, minTasks, maxTasks, httpPort,
                    metricsNamespace, lagMetricName, deadLetterMetricName, lagAlarmThresholdMs,
                    scaleOutLagMs, scaleInLagMs, alarmTopicArn, extraEnvironment, egressTo);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
