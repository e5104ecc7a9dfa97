package io.projector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import io.projector.deploy.ProjectorStackProps.ImageSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.amazon.awscdk.assertions.Template;

/**
 * Synthesizes two stacks in one app (one synthesis, a few seconds of jsii start-up) with cdk-nag's
 * AwsSolutions checks applied, and checks the CloudFormation they produce:
 * <ul>
 *   <li>{@code created}: source and read-model tables created, image built from deploy/Dockerfile,
 *       the read-model table shared (LeadingKeys), alarms notifying a topic;</li>
 *   <li>{@code existing}: both tables referenced by name (and stream ARN), an image from a registry,
 *       another metrics namespace, Graviton.</li>
 * </ul>
 */
class ProjectorStackTest {

    private static final String STREAM = "arn:aws:dynamodb:eu-west-1:123456789012:table/shop/stream/2024-05-01T10:00:00.000";
    private static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:oncall";
    private static final String PARTITION_REGION_ACCOUNT = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:";

    static final String BUILD_IMAGE = "maven:3.9-eclipse-temurin-17@sha256:" + "1".repeat(64);
    static final String RUNTIME_IMAGE = "eclipse-temurin:17-jre@sha256:" + "2".repeat(64);
    private static ProjectorStack created;
    private static ProjectorStack existing;
    private static Template createdTemplate;
    private static Template existingTemplate;

    @BeforeAll
    static void synthesize() {
        App app = App.Builder.create().outdir("target/cdk-test.out").build();
        Path root = Path.of("").toAbsolutePath().getParent();
        created = new ProjectorStack(app, "Created", StackProps.builder().build(), ProjectorStackProps.builder()
                .sourceTableName("orders")
                .createSourceTable(true)
                .image(ImageSource.asset(root, BUILD_IMAGE, RUNTIME_IMAGE))
                .sharedReadModelLeadingKeys(List.of("CUSTOMER#", "STATS#"))
                .alarmTopicArn(TOPIC)
                .build());
        existing = new ProjectorStack(app, "Existing", StackProps.builder().build(), ProjectorStackProps.builder()
                .sourceTableName("shop")
                .sourceStreamArn(STREAM)
                .readModelTableName("shop-views")
                .createReadModelTable(false)
                .applicationName("shop-projector")
                .image(ImageSource.registry("ghcr.io/acme/projector:1.4.0"))
                .metricsNamespace("Shop/Projector")
                .arm64(true)
                .minTasks(2)
                .maxTasks(6)
                .environment("PROJECTOR_PROJECTIONS", "order-history")
                .build());
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        createdTemplate = Template.fromStack(created);
        existingTemplate = Template.fromStack(existing);
    }

    // ---- tables ----------------------------------------------------------------------------

    @Test
    void createdSourceTableStreamsNewAndOldImages() {
        createdTemplate.hasResource("AWS::DynamoDB::Table", Map.of(
                "DeletionPolicy", "Retain",
                "Properties", Match.objectLike(Map.of(
                        "TableName", "orders",
                        "KeySchema", List.of(key("PK", "HASH"), key("SK", "RANGE")),
                        "BillingMode", "PAY_PER_REQUEST",
                        "StreamSpecification", Map.of("StreamViewType", "NEW_AND_OLD_IMAGES"),
                        "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true)))));
    }

    @Test
    void readModelTableHasGsi1AndGsi2OnDemandWithPitr() {
        createdTemplate.hasResource("AWS::DynamoDB::Table", Map.of(
                "DeletionPolicy", "Retain",
                "Properties", Match.objectLike(Map.of(
                        "TableName", "orders-read-model",
                        "KeySchema", List.of(key("PK", "HASH"), key("SK", "RANGE")),
                        "BillingMode", "PAY_PER_REQUEST",
                        "StreamSpecification", Match.absent(),
                        "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                        "GlobalSecondaryIndexes", List.of(gsi("GSI1"), gsi("GSI2"))))));
        createdTemplate.resourceCountIs("AWS::DynamoDB::Table", 2);     // no dead-letter table: PK PROJECTOR#<application>#DLQ items
        existingTemplate.resourceCountIs("AWS::DynamoDB::Table", 0);
    }

    // ---- task definition and service ---------------------------------------------------------

    @Test
    void taskDefinitionIsReadOnlyWithTmpVolumeStopTimeoutHealthCheckAndAwsLogs() {
        createdTemplate.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "RequiresCompatibilities", List.of("FARGATE"),
                "Cpu", "512",
                "Memory", "1024",
                "RuntimePlatform", Map.of("CpuArchitecture", "X86_64", "OperatingSystemFamily", "LINUX"),
                "Volumes", List.of(Map.of("Name", "tmp")),
                "ContainerDefinitions", List.of(Match.objectLike(Map.of(
                        "Name", "worker",
                        "Essential", true,
                        "ReadonlyRootFilesystem", true,
                        "User", "10001:10001",
                        "LinuxParameters", Map.of("Capabilities", Map.of("Drop", List.of("ALL"))),
                        "StopTimeout", 30,
                        "MountPoints", List.of(Map.of("ContainerPath", "/tmp", "SourceVolume", "tmp", "ReadOnly", false)),
                        "HealthCheck", Match.objectLike(Map.of(
                                "Command", List.of("CMD-SHELL", "curl -fsS http://127.0.0.1:8080/health > /dev/null || exit 1"))),
                        "LogConfiguration", Match.objectLike(Map.of(
                                "LogDriver", "awslogs",
                                "Options", Match.objectLike(Map.of("awslogs-stream-prefix", "projector"))))))))));

        Map<String, Object> container = container(createdTemplate);
        assertThat(environment(container)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "PROJECTOR_SOURCE_TABLE", "orders",
                "PROJECTOR_READ_MODEL_TABLE", "orders-read-model",
                "PROJECTOR_APPLICATION_NAME", "projector-orders",
                "PROJECTOR_REGION", "${AWS::Region}",
                "PROJECTOR_HTTP_PORT", "8080",
                "PROJECTOR_HTTP_HOST", "0.0.0.0",
                "PROJECTOR_CLOUDWATCH_NAMESPACE", "Projector"));
        assertThat(render(container.get("Image"))).as("built from deploy/Dockerfile as an asset")
                .contains("container-assets");

        Map<String, Object> other = container(existingTemplate);
        assertThat(other.get("Image")).isEqualTo("ghcr.io/acme/projector:1.4.0");
        assertThat(environment(other)).containsEntry("PROJECTOR_SOURCE_TABLE", "shop")
                .containsEntry("PROJECTOR_READ_MODEL_TABLE", "shop-views")
                .containsEntry("PROJECTOR_APPLICATION_NAME", "shop-projector")
                .containsEntry("PROJECTOR_PROJECTIONS", "order-history");
        existingTemplate.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "RuntimePlatform", Map.of("CpuArchitecture", "ARM64", "OperatingSystemFamily", "LINUX"))));
    }

    @Test
    void serviceRunsOnFargateInPrivateSubnetsAndRollsBackFailedDeployments() {
        createdTemplate.hasResourceProperties("AWS::ECS::Service", Match.objectLike(Map.of(
                "LaunchType", "FARGATE",
                "DeploymentConfiguration", Match.objectLike(Map.of(
                        "MinimumHealthyPercent", 100,
                        "DeploymentCircuitBreaker", Map.of("Enable", true, "Rollback", true))),
                "NetworkConfiguration", Map.of("AwsvpcConfiguration", Match.objectLike(Map.of("AssignPublicIp", "DISABLED"))))));
        createdTemplate.hasResourceProperties("AWS::ECS::Cluster", Map.of(
                "ClusterSettings", List.of(Map.of("Name", "containerInsights", "Value", "enabled"))));
        // the tasks start after the role has its policy
        Map<String, Map<String, Object>> services = createdTemplate.findResources("AWS::ECS::Service");
        assertThat(services.values().iterator().next().get("DependsOn").toString()).contains(logicalId(createdTemplate, "AWS::IAM::Policy", "WorkerPolicy"));
    }

    // ---- IAM -------------------------------------------------------------------------------

    @Test
    void taskRoleHasExactlyTheWorkersActionsOnExactlyItsTables() {
        String source = "${" + tableId(createdTemplate, "orders") + ".Arn}";
        String readModel = "${" + tableId(createdTemplate, "orders-read-model") + ".Arn}";
        Map<String, Statement> statements = workerStatements(createdTemplate);
        assertThat(statements.keySet()).containsExactlyInAnyOrder("ReadSourceStream", "ListSourceStreams",
                "DescribeSourceTable", "DescribeReadModelTable", "ReadWriteReadModel", "KclLeaseTables", "KclLeaseTableIndex",
                "DescribeReadModelTimeToLive", "PublishMetrics");

        assertThat(statements.get("ReadSourceStream")).isEqualTo(new Statement(
                Set.of("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"),
                Set.of("${" + tableId(createdTemplate, "orders") + ".StreamArn}"), null));
        assertThat(statements.get("ListSourceStreams")).isEqualTo(new Statement(
                Set.of("dynamodb:ListStreams"), Set.of(source + "/stream/*"), null));
        assertThat(statements.get("DescribeSourceTable")).isEqualTo(new Statement(
                Set.of("dynamodb:DescribeTable"), Set.of(source), null));
        assertThat(statements.get("DescribeReadModelTable")).isEqualTo(new Statement(
                Set.of("dynamodb:DescribeTable"), Set.of(readModel), null));
        assertThat(statements.get("ReadWriteReadModel")).isEqualTo(new Statement(
                Set.of("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"),
                Set.of(readModel),
                Map.of("ForAllValues:StringLike", Map.of("dynamodb:LeadingKeys", List.of("CUSTOMER#*", "STATS#*", "PROJECTOR#projector-orders#*")))));
        assertThat(statements.get("KclLeaseTables")).isEqualTo(new Statement(
                Set.of("dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:Scan",
                        "dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
                Set.of(PARTITION_REGION_ACCOUNT + "table/projector-orders",
                        PARTITION_REGION_ACCOUNT + "table/projector-orders/index/LeaseOwnerToLeaseKeyIndex",
                        PARTITION_REGION_ACCOUNT + "table/projector-orders-CoordinatorState",
                        PARTITION_REGION_ACCOUNT + "table/projector-orders-WorkerMetricStats"),
                null));
        assertThat(statements.get("KclLeaseTableIndex")).as("UpdateTable: the lease table only, for the KCL's index")
                .isEqualTo(new Statement(Set.of("dynamodb:UpdateTable"), Set.of(PARTITION_REGION_ACCOUNT + "table/projector-orders"), null));
        assertThat(statements.get("DescribeReadModelTimeToLive")).isEqualTo(new Statement(
                Set.of("dynamodb:DescribeTimeToLive"), Set.of(readModel), null));
        assertThat(statements.get("PublishMetrics")).isEqualTo(new Statement(
                Set.of("cloudwatch:PutMetricData"), Set.of("*"),
                Map.of("StringEquals", Map.of("cloudwatch:namespace", "Projector"))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSharedTableDeployLetsTheServiceAddressItsOwnEngineKeysAndNoOtherApplications() {
        Map<String, Object> condition = (Map<String, Object>) workerStatements(createdTemplate).get("ReadWriteReadModel").condition();
        List<String> patterns = (List<String>) ((Map<String, Object>) condition.get("ForAllValues:StringLike")).get("dynamodb:LeadingKeys");
        assertThat(patterns).contains("PROJECTOR#projector-orders#*").doesNotContain("PROJECTOR#*");
        // Its own engine items (every kind the engine writes) and its projections' items.
        for (String own : List.of("PROJECTOR#projector-orders#WATERMARK#order-counters", "PROJECTOR#projector-orders#DLQ",
                "PROJECTOR#projector-orders#BACKFILL#order-history", "PROJECTOR#projector-orders#BACKFILL#RUN#order-history",
                "PROJECTOR#projector-orders#APPLIED#order-history#0f", "PROJECTOR#projector-orders#SHARD", "CUSTOMER#c1", "STATS#ORDERS")) {
            assertThat(patterns).as(own).anyMatch(p -> stringLike(p, own));
        }
        // Another application's watermarks and dead letters (one whose name merely starts alike included), the keys
        // every application shared before they named it, and another service's items: no pattern reaches them.
        for (String foreign : List.of("PROJECTOR#other-app#WATERMARK#x", "PROJECTOR#other-app#DLQ", "PROJECTOR#projector-orders-2#DLQ",
                "PROJECTOR#projector-orders-2#WATERMARK#order-counters", "PROJECTOR#WATERMARK#order-counters", "PROJECTOR#DLQ",
                "INVOICE#1")) {
            assertThat(patterns).as(foreign).noneMatch(p -> stringLike(p, foreign));
        }
    }

    @Test
    void theStringLikeMatcherFollowsIam() {
        assertThat(stringLike("PROJECTOR#a#*", "PROJECTOR#a#DLQ")).isTrue();
        assertThat(stringLike("PROJECTOR#a#*", "PROJECTOR#a#")).isTrue();
        assertThat(stringLike("PROJECTOR#a#*", "PROJECTOR#ab#DLQ")).isFalse();
        assertThat(stringLike("A?C", "ABC")).isTrue();
        assertThat(stringLike("A?C", "AC")).isFalse();
        assertThat(stringLike("a*", "A1")).as("case-sensitive").isFalse();
        assertThat(stringLike("X.*", "XY")).as("no regular expression").isFalse();
    }

    /** IAM's StringLike: {@code *} any run of characters, {@code ?} any one, everything else literal and case-sensitive. */
    static boolean stringLike(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : java.util.regex.Pattern.quote(String.valueOf(c)));
        }
        return java.util.regex.Pattern.compile(regex.toString(), java.util.regex.Pattern.DOTALL).matcher(value).matches();
    }

    @Test
    void theWorkerMayOnlyLeaveOverHttpsAndTheReadModelExpiresDeadLetters() {
        for (Template template : List.of(createdTemplate, existingTemplate)) {
            template.hasResourceProperties("AWS::EC2::SecurityGroup", Match.objectLike(Map.of(
                    "SecurityGroupEgress", List.of(Match.objectLike(Map.of(
                            "CidrIp", "0.0.0.0/0", "IpProtocol", "tcp", "FromPort", 443, "ToPort", 443))))));
            assertThat(template.findResources("AWS::EC2::SecurityGroupEgress")).as("no egress rule besides").isEmpty();
        }
        createdTemplate.hasResourceProperties("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "TableName", "orders-read-model",
                "TimeToLiveSpecification", Map.of("AttributeName", "expiresAt", "Enabled", true))));
    }

    @Test
    void withVpcEndpointsNamedTheWorkerMayOnlyReachThem() {
        App app = App.Builder.create().outdir("target/cdk-test-endpoints.out").build();
        ProjectorStack stack = new ProjectorStack(app, "Endpoints", StackProps.builder().build(), ProjectorStackProps.builder()
                .sourceTableName("shop").sourceStreamArn(STREAM).readModelTableName("shop-views").createReadModelTable(false)
                .image(ImageSource.registry("ghcr.io/acme/projector:1.4.0"))
                .egressTo(List.of("pl-02cd2c6b", "pl-6da54004", "10.20.0.0/16"))
                .build());
        Template template = Template.fromStack(stack);
        Map<String, Object> rule = Map.of("IpProtocol", "tcp", "FromPort", 443, "ToPort", 443);
        // CDK keeps CIDR rules inline and writes prefix-list rules as resources of their own.
        template.hasResourceProperties("AWS::EC2::SecurityGroup", Match.objectLike(Map.of(
                "GroupDescription", Match.stringLikeRegexp("^Projector worker.*"),
                "SecurityGroupEgress", List.of(Match.objectLike(with(rule, "CidrIp", "10.20.0.0/16"))))));
        for (String prefixList : List.of("pl-02cd2c6b", "pl-6da54004")) {
            template.hasResourceProperties("AWS::EC2::SecurityGroupEgress", Match.objectLike(with(rule, "DestinationPrefixListId", prefixList)));
        }
        assertThat(template.findResources("AWS::EC2::SecurityGroupEgress")).as("no egress rule besides").hasSize(2);
    }

    private static Map<String, Object> with(Map<String, Object> map, String key, Object value) {
        Map<String, Object> out = new LinkedHashMap<>(map);
        out.put(key, value);
        return out;
    }

    @Test
    void referencedTablesAreGrantedByNameAndStreamArnWithoutLeadingKeysWhenNotShared() {
        Map<String, Statement> statements = workerStatements(existingTemplate);
        String source = PARTITION_REGION_ACCOUNT + "table/shop";
        String readModel = PARTITION_REGION_ACCOUNT + "table/shop-views";
        assertThat(statements.get("ReadSourceStream").resources()).containsExactly(STREAM);
        assertThat(statements.get("ListSourceStreams").resources()).containsExactly(source + "/stream/*");
        assertThat(statements.get("DescribeSourceTable").resources()).containsExactly(source);
        assertThat(statements.get("DescribeReadModelTable").resources()).containsExactly(readModel);
        assertThat(statements.get("ReadWriteReadModel").resources()).containsExactly(readModel);
        assertThat(statements.get("ReadWriteReadModel").condition()).as("no LeadingKeys: the table is the worker's own").isNull();
        assertThat(statements.get("KclLeaseTables").resources()).containsExactlyInAnyOrder(
                PARTITION_REGION_ACCOUNT + "table/shop-projector",
                PARTITION_REGION_ACCOUNT + "table/shop-projector/index/LeaseOwnerToLeaseKeyIndex",
                PARTITION_REGION_ACCOUNT + "table/shop-projector-CoordinatorState",
                PARTITION_REGION_ACCOUNT + "table/shop-projector-WorkerMetricStats");
        assertThat(statements.get("PublishMetrics").condition())
                .isEqualTo(Map.of("StringEquals", Map.of("cloudwatch:namespace", "Shop/Projector")));
    }

    @Test
    void noPolicyGrantsWildcardActionsAndTheTaskRoleHasNoOtherPermissions() {
        for (Template template : List.of(createdTemplate, existingTemplate)) {
            for (Map<String, Object> policy : template.findResources("AWS::IAM::Policy").values()) {
                for (Statement s : statements(policy).values()) {
                    assertThat(s.actions()).noneSatisfy(a -> assertThat(a).matches("\\*|[a-z0-9-]+:\\*|dynamodb:.*\\*.*"));
                    if (s.resources().contains("*")) {
                        assertThat(s.actions()).as("actions on every resource").allSatisfy(a -> assertThat(a)
                                .isIn("cloudwatch:PutMetricData", "ecr:GetAuthorizationToken"));
                    }
                }
            }
            String role = logicalId(template, "AWS::IAM::Role", "TaskRole");
            Map<String, Object> roleResource = template.findResources("AWS::IAM::Role").get(role);
            assertThat(properties(roleResource)).doesNotContainKeys("ManagedPolicyArns", "Policies");
            List<String> attached = template.findResources("AWS::IAM::Policy").entrySet().stream()
                    .filter(e -> render(properties(e.getValue()).get("Roles")).contains("${" + role + "}"))
                    .map(Map.Entry::getKey).toList();
            assertThat(attached).as("policies of the task role").hasSize(1);
            assertThat(attached.get(0)).startsWith("WorkerPolicy");
        }
    }

    // ---- alarms and scaling ----------------------------------------------------------------------

    @Test
    void alarmsWatchLagAndDeadLettersOverEveryShardAndProjection() {
        createdTemplate.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Metrics", List.of(Match.objectLike(Map.of(
                        "Expression", "SELECT MAX(\"projector.shard.lag.value\") FROM \"Projector\"",
                        "Period", 60))),
                "ComparisonOperator", "GreaterThanThreshold",
                "Threshold", 60000,
                "EvaluationPeriods", 5,
                "DatapointsToAlarm", 3,
                "AlarmActions", List.of(TOPIC))));
        createdTemplate.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Metrics", List.of(Match.objectLike(Map.of(
                        "Expression", "SELECT SUM(\"projector.parked.count\") FROM \"Projector\"",
                        "Period", 300))),
                "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                "Threshold", 1,
                "AlarmActions", List.of(TOPIC))));
        existingTemplate.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Metrics", List.of(Match.objectLike(Map.of(
                        "Expression", "SELECT SUM(\"projector.parked.count\") FROM \"Shop/Projector\""))),
                "AlarmActions", Match.absent())));
    }

    @Test
    void serviceScalesOnLagBetweenMinAndMaxTasks() {
        createdTemplate.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Match.objectLike(Map.of(
                "MinCapacity", 1, "MaxCapacity", 4, "ScalableDimension", "ecs:service:DesiredCount", "ServiceNamespace", "ecs")));
        existingTemplate.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Match.objectLike(Map.of(
                "MinCapacity", 2, "MaxCapacity", 6)));
        createdTemplate.resourcePropertiesCountIs("AWS::ApplicationAutoScaling::ScalingPolicy",
                Match.objectLike(Map.of("PolicyType", "StepScaling")), 2);
        // scale-out and scale-in alarms on the same lag query; no lag reported counts as low lag
        Object lagQuery = List.of(Match.objectLike(Map.of("Expression", "SELECT MAX(\"projector.shard.lag.value\") FROM \"Projector\"")));
        createdTemplate.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Metrics", lagQuery, "ComparisonOperator", "GreaterThanOrEqualToThreshold", "Threshold", 30000)));
        createdTemplate.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Metrics", lagQuery, "ComparisonOperator", "LessThanOrEqualToThreshold", "Threshold", 1000,
                "TreatMissingData", "breaching")));
        createdTemplate.resourceCountIs("AWS::CloudWatch::Alarm", 4);
    }

    // ---- cdk-nag -------------------------------------------------------------------------------

    @Test
    void cdkNagAwsSolutionsFindsNoUnsuppressedErrors() {
        for (ProjectorStack stack : List.of(created, existing)) {
            List<SynthesisMessage> errors = Annotations.fromStack(stack)
                    .findError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
            assertThat(errors).as(() -> stack.getStackName() + ": " + errors.stream()
                    .map(e -> e.getId() + " " + e.getEntry().getData()).map(String::valueOf).collect(Collectors.joining("\n"))).isEmpty();
        }
    }

    @Test
    void everyNagSuppressionCarriesAReason() {
        int suppressions = 0;
        for (Template template : List.of(createdTemplate, existingTemplate)) {
            for (Object resource : resources(template).values()) {
                Object metadata = ((Map<?, ?>) resource).get("Metadata");
                if (!(metadata instanceof Map<?, ?> m) || !(m.get("cdk_nag") instanceof Map<?, ?> nag)) {
                    continue;
                }
                for (Object rule : (List<?>) nag.get("rules_to_suppress")) {
                    Map<?, ?> r = (Map<?, ?>) rule;
                    assertThat(String.valueOf(r.get("id"))).startsWith("AwsSolutions-");
                    assertThat(String.valueOf(r.get("reason"))).as("reason of " + r.get("id")).hasSizeGreaterThan(40);
                    suppressions++;
                }
            }
        }
        assertThat(suppressions).isPositive();
    }

    // ---- helpers ---------------------------------------------------------------------------------

    record Statement(Set<String> actions, Set<String> resources, Object condition) {
    }

    private static Map<String, Object> key(String name, String type) {
        return Map.of("AttributeName", name, "KeyType", type);
    }

    private static Map<String, Object> gsi(String name) {
        return Map.of("IndexName", name,
                "KeySchema", List.of(key(name + "PK", "HASH"), key(name + "SK", "RANGE")),
                "Projection", Map.of("ProjectionType", "ALL"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> resources(Template template) {
        return (Map<String, Object>) template.toJSON().get("Resources");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Map<String, Object> resource) {
        return (Map<String, Object>) resource.get("Properties");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> container(Template template) {
        Map<String, Map<String, Object>> definitions = template.findResources("AWS::ECS::TaskDefinition");
        assertThat(definitions).hasSize(1);
        List<Object> containers = (List<Object>) properties(definitions.values().iterator().next()).get("ContainerDefinitions");
        assertThat(containers).hasSize(1);
        return (Map<String, Object>) containers.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object o : (List<Object>) container.get("Environment")) {
            Map<String, Object> e = (Map<String, Object>) o;
            env.put((String) e.get("Name"), render(e.get("Value")));
        }
        return env;
    }

    private static String logicalId(Template template, String type, String prefix) {
        List<String> ids = template.findResources(type).keySet().stream().filter(id -> id.startsWith(prefix)).toList();
        assertThat(ids).as(type + " " + prefix + "*").hasSize(1);
        return ids.get(0);
    }

    private static String tableId(Template template, String tableName) {
        List<String> ids = template.findResources("AWS::DynamoDB::Table").entrySet().stream()
                .filter(e -> tableName.equals(properties(e.getValue()).get("TableName")))
                .map(Map.Entry::getKey).toList();
        assertThat(ids).as("table " + tableName).hasSize(1);
        return ids.get(0);
    }

    private static Map<String, Statement> workerStatements(Template template) {
        String id = logicalId(template, "AWS::IAM::Policy", "WorkerPolicy");
        return statements(template.findResources("AWS::IAM::Policy").get(id));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Statement> statements(Map<String, Object> policy) {
        Map<String, Object> document = (Map<String, Object>) properties(policy).get("PolicyDocument");
        Map<String, Statement> out = new LinkedHashMap<>();
        int n = 0;
        for (Object o : (List<Object>) document.get("Statement")) {
            Map<String, Object> s = (Map<String, Object>) o;
            assertThat(s.get("Effect")).isEqualTo("Allow");
            String sid = s.containsKey("Sid") ? (String) s.get("Sid") : "#" + n;
            n++;
            assertThat(out).doesNotContainKey(sid);
            out.put(sid, new Statement(strings(s.get("Action")), strings(s.get("Resource")), s.get("Condition")));
        }
        return out;
    }

    private static Set<String> strings(Object value) {
        Collection<?> values = value instanceof List<?> list ? list : List.of(value);
        return values.stream().map(ProjectorStackTest::render).collect(Collectors.toCollection(TreeSet::new));
    }

    /** CloudFormation intrinsics as text: Fn::Join joined, {Ref: X} as ${X}, {Fn::GetAtt: [A, B]} as ${A.B}. */
    @SuppressWarnings("unchecked")
    static String render(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            for (Object o : list) {
                parts.add(render(o));
            }
            return parts.toString();
        }
        if (value instanceof Map<?, ?> map && map.size() == 1) {
            Map.Entry<?, ?> e = map.entrySet().iterator().next();
            switch (String.valueOf(e.getKey())) {
                case "Ref":
                    return "${" + e.getValue() + "}";
                case "Fn::GetAtt":
                    List<Object> att = (List<Object>) e.getValue();
                    return "${" + att.get(0) + "." + att.get(1) + "}";
                case "Fn::Join":
                    List<Object> join = (List<Object>) e.getValue();
                    return ((List<Object>) join.get(1)).stream().map(ProjectorStackTest::render)
                            .collect(Collectors.joining((String) join.get(0)));
                case "Fn::Sub":
                    return "Sub(" + render(e.getValue()) + ")";
                default:
                    break;
            }
        }
        return String.valueOf(value);
    }
}
