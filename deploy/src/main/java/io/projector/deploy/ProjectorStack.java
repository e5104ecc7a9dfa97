package io.projector.deploy;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.IgnoreMode;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.applicationautoscaling.AdjustmentType;
import software.amazon.awscdk.services.applicationautoscaling.BasicStepScalingPolicyProps;
import software.amazon.awscdk.services.applicationautoscaling.EnableScalingProps;
import software.amazon.awscdk.services.applicationautoscaling.ScalingInterval;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.CfnAlarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.ProjectionType;
import software.amazon.awscdk.services.dynamodb.StreamViewType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableAttributes;
import software.amazon.awscdk.services.dynamodb.TableProps;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.FlowLogTrafficType;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcLookupOptions;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.assets.Platform;
import software.amazon.awscdk.services.ecs.AssetImageProps;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.Capability;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ClusterAttributes;
import software.amazon.awscdk.services.ecs.ContainerDefinition;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.ContainerInsights;
import software.amazon.awscdk.services.ecs.CpuArchitecture;
import software.amazon.awscdk.services.ecs.DeploymentCircuitBreaker;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.HealthCheck;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.LinuxParameters;
import software.amazon.awscdk.services.ecs.LogDrivers;
import software.amazon.awscdk.services.ecs.MountPoint;
import software.amazon.awscdk.services.ecs.OperatingSystemFamily;
import software.amazon.awscdk.services.ecs.PropagatedTagSource;
import software.amazon.awscdk.services.ecs.RuntimePlatform;
import software.amazon.awscdk.services.ecs.ScalableTaskCount;
import software.amazon.awscdk.services.ecs.Volume;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * Projector on ECS Fargate: the tables (created or referenced), the worker's service with its
 * least-privilege task role, alarms on lag and dead letters, and auto-scaling on lag.
 *
 * <p>There is no separate dead-letter table: the engine parks changes as items under
 * {@code PK = PROJECTOR#<application>#DLQ} of the read-model table, in the transaction that moves the watermark
 * (README, "Failure handling"); the task role's read-model grant covers them, and the dead-letter
 * alarm watches the count the worker publishes.
 *
 * <p>Alarms and scaling read the metrics the worker publishes when {@code PROJECTOR_CLOUDWATCH_NAMESPACE}
 * is set (the stack sets it; PutMetricData is allowed for that namespace only): the gauge
 * {@code projector.shard.lag} (ms, one per shard) and the counter {@code projector.parked} (one per
 * projection), which Micrometer's CloudWatch registry sends as {@code projector.shard.lag.value} and
 * {@code projector.parked.count}. Their names are props, in case the worker's change.
 */
public final class ProjectorStack extends Stack {

    /** Environment variables the stack sets itself. */
    public static final Set<String> MANAGED_ENVIRONMENT = Set.of(
            "PROJECTOR_SOURCE_TABLE", "PROJECTOR_READ_MODEL_TABLE", "PROJECTOR_APPLICATION_NAME", "PROJECTOR_REGION",
            "PROJECTOR_HTTP_PORT", "PROJECTOR_HTTP_HOST", "PROJECTOR_CLOUDWATCH_NAMESPACE", "PROJECTOR_PLUGINS", "PROJECTOR_ENDPOINT", "PROJECTOR_LOCAL", "PROJECTOR_CREATE_TABLES");

    /** Actions on the source table's stream (the KCL through the DynamoDB Streams adapter). */
    public static final List<String> STREAM_ACTIONS = List.of(
            "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator");
    /** Actions on the read-model table's items: the commits (TransactWriteItems is authorized per action), watermarks, dead letters. */
    public static final List<String> READ_MODEL_ITEM_ACTIONS = List.of(
            "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
            "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:ConditionCheckItem");
    /** Actions on the KCL's lease, coordinator-state and worker-metrics tables (which the KCL creates when missing). */
    public static final List<String> LEASE_TABLE_ACTIONS = List.of(
            "dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:Scan", "dynamodb:Query",
            "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem");
    /** The index KCL 3 keeps on its lease table (see io.projector.ops.Tables#createLeaseTable). */
    public static final String LEASE_OWNER_INDEX = "LeaseOwnerToLeaseKeyIndex";
    public static final String CONTAINER_NAME = "worker";
    /** uid:gid of the image's projector user (deploy/Dockerfile). */
    public static final String CONTAINER_USER = "10001:10001";

    private final ProjectorStackProps props;
    private final ITable sourceTable;
    private final ITable readModelTable;
    private final Role taskRole;
    private final Policy workerPolicy;
    private final FargateTaskDefinition taskDefinition;
    private final FargateService service;
    private final Alarm lagAlarm;
    private final Alarm deadLetterAlarm;

    public ProjectorStack(Construct scope, String id, StackProps stackProps, ProjectorStackProps props) {
        super(scope, id, stackProps);
        this.props = props;

        sourceTable = props.createSourceTable() ? createSourceTable() : Table.fromTableAttributes(this, "SourceTable",
                TableAttributes.builder().tableName(props.sourceTableName()).tableStreamArn(props.sourceStreamArn()).build());
        readModelTable = props.createReadModelTable() ? createReadModelTable()
                : Table.fromTableName(this, "ReadModelTable", props.readModelTableName());

        taskRole = Role.Builder.create(this, "TaskRole")
                .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
                .description("Projector worker " + props.applicationName() + ": stream in, read model out, KCL leases")
                .build();
        workerPolicy = Policy.Builder.create(this, "WorkerPolicy")
                .statements(workerStatements())
                .build();
        workerPolicy.attachToRole(taskRole);

        IVpc vpc = props.vpcId() != null
                ? Vpc.fromLookup(this, "Vpc", VpcLookupOptions.builder().vpcId(props.vpcId()).build())
                : createVpc();
        ICluster cluster = props.clusterName() != null
                ? Cluster.fromClusterAttributes(this, "Cluster", ClusterAttributes.builder()
                        .clusterName(props.clusterName()).vpc(vpc).securityGroups(List.of()).build())
                : Cluster.Builder.create(this, "Cluster").vpc(vpc).containerInsightsV2(ContainerInsights.ENABLED).build();

        taskDefinition = createTaskDefinition();
        SecurityGroup securityGroup = SecurityGroup.Builder.create(this, "WorkerSecurityGroup")
                .vpc(vpc)
                .description("Projector worker: no inbound; outbound HTTPS to AWS APIs (DynamoDB, Streams, CloudWatch, ECR)")
                .allowAllOutbound(false)
                .build();
        // Every AWS API the task calls (its own and the ECS agent's image pull and logs, which use the
        // task's network interface on Fargate) is HTTPS; nothing else leaves the task. With VPC
        // endpoints named, HTTPS goes to them alone.
        if (props.egressTo().isEmpty()) {
            securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), "HTTPS to AWS APIs (DynamoDB, DynamoDB Streams, CloudWatch, ECR, Logs)");
        } else {
            for (String target : props.egressTo()) {
                securityGroup.addEgressRule(target.startsWith("pl-") ? Peer.prefixList(target) : Peer.ipv4(target), Port.tcp(443),
                        "HTTPS to the AWS APIs' VPC endpoints (" + target + ")");
            }
        }
        service = FargateService.Builder.create(this, "Service")
                .cluster(cluster)
                .taskDefinition(taskDefinition)
                .securityGroups(List.of(securityGroup))
                .vpcSubnets(SubnetSelection.builder().subnetType(SubnetType.PRIVATE_WITH_EGRESS).build())
                .assignPublicIp(false)
                // One new task up before an old one stops; a failing rollout rolls back by itself.
                .minHealthyPercent(100)
                .maxHealthyPercent(200)
                .circuitBreaker(DeploymentCircuitBreaker.builder().enable(true).rollback(true).build())
                .enableEcsManagedTags(true)
                .propagateTags(PropagatedTagSource.SERVICE)
                .build();

        MathExpression lag = insights("MAX", props.lagMetricName(), Duration.minutes(1));
        MathExpression parked = insights("SUM", props.deadLetterMetricName(), Duration.minutes(5));
        lagAlarm = Alarm.Builder.create(this, "LagAlarm")
                .alarmDescription("Projector " + props.applicationName() + ": read model more than "
                        + props.lagAlarmThresholdMs() + " ms behind the source table in 3 of the last 5 minutes")
                .metric(lag)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .threshold(props.lagAlarmThresholdMs())
                .evaluationPeriods(5)
                .datapointsToAlarm(3)
                // The worker reports lag while it projects; no data is an idle stream, not lag.
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        deadLetterAlarm = Alarm.Builder.create(this, "DeadLetterAlarm")
                .alarmDescription("Projector " + props.applicationName() + ": changes were parked in the dead-letter store "
                        + "(PK " + ProjectorStackProps.RESERVED_PREFIX + props.applicationName() + "#DLQ of " + props.readModelTableName()
                        + "); see `projector dlq list`")
                .metric(parked)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .threshold(1)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        if (props.alarmTopicArn() != null) {
            SnsAction notify = new SnsAction(Topic.fromTopicArn(this, "AlarmTopic", props.alarmTopicArn()));
            lagAlarm.addAlarmAction(notify);
            lagAlarm.addOkAction(notify);
            deadLetterAlarm.addAlarmAction(notify);
        }

        // Scaling on lag: a task more above scaleOutLagMs, two more above ten times that, one fewer
        // below scaleInLagMs. More tasks than the stream has shards sit idle (one lease per shard).
        ScalableTaskCount scaling = service.autoScaleTaskCount(EnableScalingProps.builder()
                .minCapacity(props.minTasks()).maxCapacity(props.maxTasks()).build());
        scaling.scaleOnMetric("ScaleOnLag", BasicStepScalingPolicyProps.builder()
                .metric(lag)
                .adjustmentType(AdjustmentType.CHANGE_IN_CAPACITY)
                .scalingSteps(List.of(
                        ScalingInterval.builder().upper(props.scaleInLagMs()).change(-1).build(),
                        ScalingInterval.builder().lower(props.scaleOutLagMs()).change(1).build(),
                        ScalingInterval.builder().lower(props.scaleOutLagMs() * 10).change(2).build()))
                .evaluationPeriods(3)
                .cooldown(Duration.minutes(5))
                .build());
        // No lag reported (an idle stream) counts as low lag, so an idle service scales in to minTasks.
        IConstruct lowerAlarm = service.getNode().findChild("TaskCount").getNode().findChild("Target").getNode()
                .findChild("ScaleOnLag").getNode().findChild("LowerAlarm");
        ((CfnAlarm) lowerAlarm.getNode().getDefaultChild()).setTreatMissingData("breaching");
        // The tasks start once the task role has its permissions.
        service.getNode().addDependency(workerPolicy);

        CfnOutput.Builder.create(this, "ReadModelTableName").value(readModelTable.getTableName()).build();
        CfnOutput.Builder.create(this, "ServiceName").value(service.getServiceName()).build();
        CfnOutput.Builder.create(this, "TaskRoleArn").value(taskRole.getRoleArn()).build();

        suppressFindings();
    }

    public ProjectorStackProps props() {
        return props;
    }

    public Role taskRole() {
        return taskRole;
    }

    /** The task role's one policy: every permission the worker has. */
    public Policy workerPolicy() {
        return workerPolicy;
    }

    public FargateTaskDefinition taskDefinition() {
        return taskDefinition;
    }

    public FargateService service() {
        return service;
    }

    private Table createSourceTable() {
        return new Table(this, "SourceTable", TableProps.builder()
                .tableName(props.sourceTableName())
                .partitionKey(Attribute.builder().name("PK").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("SK").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .stream(StreamViewType.NEW_AND_OLD_IMAGES)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
                .removalPolicy(RemovalPolicy.RETAIN)
                .build());
    }

    /** As io.projector.ops.Tables#createReadModelTable: PK/SK strings, overloaded GSI1 and GSI2 projecting all. */
    private Table createReadModelTable() {
        Table table = new Table(this, "ReadModelTable", TableProps.builder()
                .tableName(props.readModelTableName())
                .partitionKey(Attribute.builder().name("PK").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("SK").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
                // Dead letters and hand-off markers carry expiresAt (epoch seconds): without TTL they stay for ever.
                .timeToLiveAttribute("expiresAt")
                // A read model can be rebuilt, but not in a minute: keep it when the stack goes.
                .removalPolicy(RemovalPolicy.RETAIN)
                .build());
        for (String index : List.of("GSI1", "GSI2")) {
            table.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                    .indexName(index)
                    .partitionKey(Attribute.builder().name(index + "PK").type(AttributeType.STRING).build())
                    .sortKey(Attribute.builder().name(index + "SK").type(AttributeType.STRING).build())
                    .projectionType(ProjectionType.ALL)
                    .build());
        }
        return table;
    }

    /**
     * The worker's permissions, and nothing else: each statement names the exact tables (or the
     * source table's stream) it applies to. See README, "Deploying on ECS".
     */
    private List<PolicyStatement> workerStatements() {
        String sourceArn = sourceTable.getTableArn();
        String readModelArn = readModelTable.getTableArn();
        String app = props.applicationName();
        List<PolicyStatement> statements = new ArrayList<>();
        statements.add(statement("ReadSourceStream", STREAM_ACTIONS, List.of(sourceTable.getTableStreamArn())));
        // ListStreams is not tied to one stream ARN: scoped to the streams of the source table.
        statements.add(statement("ListSourceStreams", List.of("dynamodb:ListStreams"), List.of(sourceArn + "/stream/*")));
        statements.add(statement("DescribeSourceTable", List.of("dynamodb:DescribeTable"), List.of(sourceArn)));
        statements.add(statement("DescribeReadModelTable", List.of("dynamodb:DescribeTable"), List.of(readModelArn)));
        PolicyStatement items = statement("ReadWriteReadModel", READ_MODEL_ITEM_ACTIONS, List.of(readModelArn));
        if (props.readModelShared()) {
            // A read-model table shared by several services (seed 000: namespaces per service with
            // fine-grained access control): this worker may touch items whose partition key starts
            // with one of its prefixes, or PROJECTOR#<application># (its own watermarks, dead letters and
            // other engine items), only: not another application's engine items in the same table.
            items.addCondition("ForAllValues:StringLike", Map.of("dynamodb:LeadingKeys", props.leadingKeyPatterns()));
        }
        statements.add(items);
        statements.add(statement("KclLeaseTables", LEASE_TABLE_ACTIONS, List.of(
                tableArn(app), tableArn(app) + "/index/" + LEASE_OWNER_INDEX,
                tableArn(app + "-CoordinatorState"), tableArn(app + "-WorkerMetricStats"))));
        // The KCL creates its lease table without the index and adds LeaseOwnerToLeaseKeyIndex with
        // UpdateTable (DynamoDBLeaseRefresher.createLeaseOwnerToLeaseKeyIndexIfNotExists); it calls
        // UpdateTable on nothing else, so the grant is that one action on that one table.
        statements.add(statement("KclLeaseTableIndex", List.of("dynamodb:UpdateTable"), List.of(tableArn(app))));
        // The start-up check that dead letters expire (a warning when the read model's TTL is off).
        statements.add(statement("DescribeReadModelTimeToLive", List.of("dynamodb:DescribeTimeToLive"), List.of(readModelArn)));
        PolicyStatement metrics = statement("PublishMetrics", List.of("cloudwatch:PutMetricData"), List.of("*"));
        metrics.addCondition("StringEquals", Map.of("cloudwatch:namespace", props.metricsNamespace()));
        statements.add(metrics);
        return statements;
    }

    private static PolicyStatement statement(String sid, List<String> actions, List<String> resources) {
        return PolicyStatement.Builder.create().sid(sid).effect(Effect.ALLOW).actions(actions).resources(resources).build();
    }

    private String tableArn(String tableName) {
        return Stack.of(this).formatArn(ArnComponents.builder()
                .service("dynamodb").resource("table").resourceName(tableName).build());
    }

    private IVpc createVpc() {
        Vpc vpc = Vpc.Builder.create(this, "Vpc")
                .maxAzs(2)
                .natGateways(1)
                .subnetConfiguration(List.of(
                        SubnetConfiguration.builder().name("public").subnetType(SubnetType.PUBLIC).cidrMask(24).build(),
                        SubnetConfiguration.builder().name("workers").subnetType(SubnetType.PRIVATE_WITH_EGRESS).cidrMask(22).build()))
                // DynamoDB traffic (not Streams, which has no gateway endpoint) stays off the NAT gateway.
                .gatewayEndpoints(Map.of("DynamoDb", GatewayVpcEndpointOptions.builder()
                        .service(GatewayVpcEndpointAwsService.DYNAMODB).build()))
                .build();
        vpc.addFlowLog("FlowLog", FlowLogOptions.builder()
                .destination(FlowLogDestination.toCloudWatchLogs(LogGroup.Builder.create(this, "FlowLogGroup")
                        .retention(RetentionDays.ONE_MONTH).removalPolicy(RemovalPolicy.DESTROY).build()))
                .trafficType(FlowLogTrafficType.REJECT)
                .build());
        return vpc;
    }

    private FargateTaskDefinition createTaskDefinition() {
        FargateTaskDefinition definition = FargateTaskDefinition.Builder.create(this, "TaskDefinition")
                .family(props.applicationName())
                .cpu(props.cpu())
                .memoryLimitMiB(props.memoryMiB())
                .taskRole(taskRole)
                .runtimePlatform(RuntimePlatform.builder()
                        .operatingSystemFamily(OperatingSystemFamily.LINUX)
                        .cpuArchitecture(props.arm64() ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64)
                        .build())
                .build();
        // The root filesystem is read-only; /tmp (java.io.tmpdir, JVM perf data) is a task volume.
        definition.addVolume(Volume.builder().name("tmp").build());

        LogGroup logs = LogGroup.Builder.create(this, "WorkerLogs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PROJECTOR_SOURCE_TABLE", props.sourceTableName());
        environment.put("PROJECTOR_READ_MODEL_TABLE", props.readModelTableName());
        environment.put("PROJECTOR_APPLICATION_NAME", props.applicationName());
        environment.put("PROJECTOR_REGION", Stack.of(this).getRegion());
        environment.put("PROJECTOR_HTTP_PORT", Integer.toString(props.httpPort()));
        // The worker listens on 127.0.0.1 by default; the task's health check and scrapers need the task's address.
        environment.put("PROJECTOR_HTTP_HOST", "0.0.0.0");
        // The worker publishes its projector.* metrics to CloudWatch only when given a namespace.
        environment.put("PROJECTOR_CLOUDWATCH_NAMESPACE", props.metricsNamespace());
        environment.putAll(props.extraEnvironment());

        // The worker needs no Linux capability: it opens an unprivileged port and calls HTTPS APIs.
        LinuxParameters linuxParameters = LinuxParameters.Builder.create(this, "LinuxParameters").build();
        linuxParameters.dropCapabilities(Capability.ALL);
        ContainerDefinition container = definition.addContainer(CONTAINER_NAME, ContainerDefinitionOptions.builder()
                .image(image())
                .essential(true)
                .readonlyRootFilesystem(true)
                // The image's user, stated again so that an image built otherwise cannot run as root.
                .user(CONTAINER_USER)
                .linuxParameters(linuxParameters)
                // ECS sends SIGTERM, then SIGKILL after this; the worker's graceful stop takes at most 25 s.
                .stopTimeout(Duration.seconds(30))
                .environment(environment)
                .healthCheck(HealthCheck.builder()
                        .command(List.of("CMD-SHELL", "curl -fsS http://127.0.0.1:" + props.httpPort() + "/health > /dev/null || exit 1"))
                        .interval(Duration.seconds(30))
                        .timeout(Duration.seconds(5))
                        .retries(3)
                        .startPeriod(Duration.seconds(60))
                        .build())
                .logging(LogDrivers.awsLogs(AwsLogDriverProps.builder()
                        .logGroup(logs)
                        .streamPrefix("projector")
                        .build()))
                .build());
        container.addMountPoints(MountPoint.builder().sourceVolume("tmp").containerPath("/tmp").readOnly(false).build());
        return definition;
    }

    private ContainerImage image() {
        ProjectorStackProps.ImageSource source = props.image();
        if (source instanceof ProjectorStackProps.ImageSource.Registry r) {
            return ContainerImage.fromRegistry(r.uri());
        }
        if (source instanceof ProjectorStackProps.ImageSource.Ecr e) {
            return ContainerImage.fromEcrRepository(Repository.fromRepositoryName(this, "ImageRepository", e.repositoryName()), e.tag());
        }
        // Built and pushed by `cdk deploy` (Docker needed then); synthesizing only stages the context.
        ProjectorStackProps.ImageSource.Asset asset = (ProjectorStackProps.ImageSource.Asset) source;
        Path root = asset.repositoryRoot();
        return ContainerImage.fromAsset(root.toString(), AssetImageProps.builder()
                .file("deploy/Dockerfile")
                .buildArgs(asset.buildArgs())
                .exclude(dockerIgnorePatterns(root))
                .ignoreMode(IgnoreMode.DOCKER)
                .platform(props.arm64() ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64)
                .build());
    }

    /** The patterns of deploy/Dockerfile.dockerignore, so the staged asset is the context Docker would see. */
    static List<String> dockerIgnorePatterns(Path repositoryRoot) {
        Path file = repositoryRoot.resolve("deploy/Dockerfile.dockerignore");
        if (!Files.isRegularFile(repositoryRoot.resolve("deploy/Dockerfile")) || !Files.isRegularFile(file)) {
            throw new IllegalArgumentException(repositoryRoot + " is not the Projector repository (no deploy/Dockerfile and its .dockerignore)");
        }
        try {
            return Files.readAllLines(file).stream()
                    .map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One time series over every metric of that name in the namespace, whatever its dimensions: a
     * CloudWatch Metrics Insights query. The worker tags lag by shard (shards come and go every few
     * hours) and parked changes by projection, so no fixed dimension set would do.
     */
    private MathExpression insights(String function, String metricName, Duration period) {
        return MathExpression.Builder.create()
                .expression("SELECT " + function + "(\"" + metricName + "\") FROM \"" + props.metricsNamespace() + "\"")
                .usingMetrics(Map.of())
                .label(function + " " + metricName)
                .period(period)
                .build();
    }

    /** Every cdk-nag AwsSolutions finding this stack accepts, each with its reason. */
    private void suppressFindings() {
        NagSuppressions.addResourceSuppressions(workerPolicy, List.of(
                NagPackSuppression.builder()
                        .id("AwsSolutions-IAM5")
                        .reason("cloudwatch:PutMetricData supports no resource-level permissions; the statement is limited "
                                + "by a cloudwatch:namespace condition to the worker's namespace.")
                        .appliesTo(List.of("Resource::*"))
                        .build(),
                NagPackSuppression.builder()
                        .id("AwsSolutions-IAM5")
                        .reason("dynamodb:ListStreams is not tied to one stream ARN; it is limited to the streams of the "
                                + "source table (<table ARN>/stream/*).")
                        .appliesTo(List.of(RegexAppliesTo.builder().regex("/^Resource::.*\\/stream\\/\\*$/").build()))
                        .build()),
                true);
        if (taskDefinition.getExecutionRole() != null) {
            NagSuppressions.addResourceSuppressions(taskDefinition.getExecutionRole(), List.of(
                    NagPackSuppression.builder()
                            .id("AwsSolutions-IAM5")
                            .reason("The execution role's ecr:GetAuthorizationToken (CDK-generated, to pull the image) "
                                    + "supports no resource-level permissions; image pulls themselves are limited to the repository.")
                            .appliesTo(List.of("Resource::*"))
                            .build()),
                    true);
        }
        NagSuppressions.addResourceSuppressions(taskDefinition, List.of(
                NagPackSuppression.builder()
                        .id("AwsSolutions-ECS2")
                        .reason("The environment holds table names, the KCL application name, the region and the HTTP port: "
                                + "configuration, not secrets. The worker needs no secrets (credentials come from the task role).")
                        .build()),
                true);
    }
}
