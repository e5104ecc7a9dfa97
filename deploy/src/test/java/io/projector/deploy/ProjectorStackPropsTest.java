package io.projector.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.deploy.ProjectorStackProps.ImageSource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The props and their context parsing: no synthesis, milliseconds. */
class ProjectorStackPropsTest {

    private static final String STREAM = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000";
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void defaultsFollowTheWorkersOwn() {
        ProjectorStackProps p = ProjectorStackProps.builder()
                .sourceTableName("orders").sourceStreamArn(STREAM).image(ImageSource.registry("projector:1")).build();
        assertThat(p.readModelTableName()).isEqualTo("orders-read-model");
        assertThat(p.applicationName()).isEqualTo("projector-orders");      // the runner's default
        assertThat(p.createSourceTable()).isFalse();
        assertThat(p.createReadModelTable()).isTrue();
        assertThat(p.readModelShared()).isFalse();
        assertThat(p.minTasks()).isEqualTo(1);
        assertThat(p.maxTasks()).isGreaterThanOrEqualTo(p.minTasks());
        assertThat(p.metricsNamespace()).isEqualTo("Projector");
        assertThat(p.lagMetricName()).isEqualTo("projector.shard.lag.value");        // Micrometer: gauge -> .value
        assertThat(p.deadLetterMetricName()).isEqualTo("projector.parked.count");     // counter -> .count
        assertThat(p.httpPort()).isEqualTo(8080);
    }

    @Test
    void leadingKeyPatternsAlwaysIncludeTheApplicationsOwnEngineItems() {
        ProjectorStackProps p = ProjectorStackProps.builder()
                .sourceTableName("orders").createSourceTable(true).image(ImageSource.registry("projector:1"))
                .sharedReadModelLeadingKeys(List.of("CUSTOMER#", "STATS#*", "CUSTOMER#"))
                .build();
        assertThat(p.readModelShared()).isTrue();
        assertThat(p.leadingKeyPatterns()).containsExactly("CUSTOMER#*", "STATS#*", "PROJECTOR#projector-orders#*");
        assertThat(p.sourceStreamArn()).as("ignored for a created table").isNull();
    }

    @Test
    void wrongValuesAreNamed() {
        ProjectorStackProps.Builder base = ProjectorStackProps.builder().sourceTableName("orders").image(ImageSource.registry("p:1"));
        assertThatThrownBy(base::build).hasMessageContaining("sourceStreamArn is required");
        assertThatThrownBy(() -> base.sourceStreamArn(STREAM.replace("table/orders", "table/other")).build())
                .hasMessageContaining("belongs to table 'other'");
        assertThatThrownBy(() -> base.sourceStreamArn("arn:aws:dynamodb:eu-west-1:123456789012:table/orders").build())
                .hasMessageContaining("must be a DynamoDB stream ARN");
        base.sourceStreamArn(STREAM);
        assertThatThrownBy(() -> base.sharedReadModelLeadingKeys(List.of("*")).build()).hasMessageContaining("sharedReadModelLeadingKeys");
        // The engine's prefix, or one it starts with, would reach every application's engine items.
        for (String wide : List.of("PROJECTOR#", "PROJECTOR#*", "PROJ*", "PROJECTOR#other-app#")) {
            assertThatThrownBy(() -> base.sharedReadModelLeadingKeys(List.of("CUSTOMER#", wide)).build()).as(wide)
                    .hasMessage("sharedReadModelLeadingKeys: '" + wide + "' would reach the engine items of every application under "
                            + "PROJECTOR#; the stack grants this application's own (PROJECTOR#projector-orders#*)");
        }
        assertThatThrownBy(() -> base.sharedReadModelLeadingKeys(List.of()).applicationName("DLQ").build())
                .hasMessageContaining("applicationName 'DLQ' is reserved");
        base.applicationName(null);
        base.sharedReadModelLeadingKeys(List.of());
        assertThatThrownBy(() -> base.minTasks(2).maxTasks(1).build()).hasMessageContaining("maxTasks");
        base.minTasks(1).maxTasks(4);
        assertThatThrownBy(() -> base.scaleInLagMs(5_000).scaleOutLagMs(5_000).build()).hasMessageContaining("scaleOutLagMs");
        base.scaleInLagMs(1_000).scaleOutLagMs(30_000);
        assertThatThrownBy(() -> base.cpu(300).build()).hasMessageContaining("cpu");
        base.cpu(512);
        assertThatThrownBy(() -> base.metricsNamespace("AWS/DynamoDB").build()).hasMessageContaining("metricsNamespace");
        assertThatThrownBy(() -> base.metricsNamespace("Pro\"jector").build()).hasMessageContaining("metricsNamespace");
        base.metricsNamespace("Projector");
        assertThatThrownBy(() -> base.clusterName("workers").build()).hasMessageContaining("needs the vpcId");
        base.clusterName(null);
        assertThatThrownBy(() -> base.egressTo(List.of("pl-02cd2c6b", "vpce-0123")).build())
                .hasMessage("egressTo takes managed prefix list ids (pl-0123abcd) and CIDR blocks (10.0.0.0/16), was 'vpce-0123'");
        assertThatThrownBy(() -> base.egressTo(List.of("10.0.0.0/33")).build()).hasMessageContaining("was '10.0.0.0/33'");
        assertThatThrownBy(() -> base.egressTo(List.of("0.0.0.0/0")).build())
                .hasMessage("egressTo '0.0.0.0/0' is every address: leave egressTo out instead");
        base.egressTo(List.of());
        assertThatThrownBy(() -> base.environment("PROJECTOR_SOURCE_TABLE", "x").build()).hasMessageContaining("set by the stack");
        assertThatThrownBy(() -> ImageSource.ecr("Bad Repo", "latest")).hasMessageContaining("ecrRepository");
    }

    @Test
    void contextStringsAreParsed() {
        Map<String, Object> context = new HashMap<>();
        context.put("sourceTable", "orders");
        context.put("createSourceTable", "true");
        context.put("readModelTable", "orders-read");
        context.put("sharedReadModelLeadingKeys", "CUSTOMER#, STATS#");
        context.put("maxTasks", "6");
        context.put("cpu", 1024);                 // cdk.json values arrive typed
        context.put("memory", "2048");
        context.put("ecrRepository", "projector");
        context.put("imageTag", "1.2.3");
        context.put("projections", "order-history");
        context.put("egressTo", "pl-02cd2c6b, 10.20.0.0/16");
        ProjectorStackProps p = ProjectorStackProps.fromContext(context::get, ROOT);
        assertThat(p.egressTo()).containsExactly("pl-02cd2c6b", "10.20.0.0/16");
        assertThat(p.createSourceTable()).isTrue();
        assertThat(p.readModelTableName()).isEqualTo("orders-read");
        assertThat(p.leadingKeyPatterns()).containsExactly("CUSTOMER#*", "STATS#*", "PROJECTOR#projector-orders#*");
        assertThat(p.maxTasks()).isEqualTo(6);
        assertThat(p.cpu()).isEqualTo(1024);
        assertThat(p.memoryMiB()).isEqualTo(2048);
        assertThat(p.image()).isEqualTo(ImageSource.ecr("projector", "1.2.3"));
        assertThat(p.extraEnvironment()).containsEntry("PROJECTOR_PROJECTIONS", "order-history");

        Map<String, Object> minimal = Map.of("sourceTable", "orders", "sourceStreamArn", STREAM);
        assertThatThrownBy(() -> ProjectorStackProps.fromContext(minimal::get, ROOT))
                .hasMessageContaining("context buildImage and runtimeImage are required").hasMessageContaining("@sha256:<digest>");
        Map<String, Object> pinned = new HashMap<>(minimal);
        pinned.put("buildImage", ProjectorStackTest.BUILD_IMAGE);
        pinned.put("runtimeImage", ProjectorStackTest.RUNTIME_IMAGE);
        assertThat(ProjectorStackProps.fromContext(pinned::get, ROOT).image())
                .isEqualTo(ImageSource.asset(ROOT, ProjectorStackTest.BUILD_IMAGE, ProjectorStackTest.RUNTIME_IMAGE));
        Map<String, Object> byTag = new HashMap<>(pinned);
        byTag.put("runtimeImage", "eclipse-temurin:17-jre");
        assertThatThrownBy(() -> ProjectorStackProps.fromContext(byTag::get, ROOT))
                .hasMessage("runtimeImage must be an image pinned by digest, name[:tag]@sha256:<64 hex digits>, was 'eclipse-temurin:17-jre'");

        assertThatThrownBy(() -> ProjectorStackProps.fromContext(Map.<String, Object>of()::get, ROOT))
                .hasMessageContaining("sourceTable is required");
        Map<String, Object> both = new HashMap<>(minimal);
        both.put("image", "projector:1");
        both.put("ecrRepository", "projector");
        assertThatThrownBy(() -> ProjectorStackProps.fromContext(both::get, ROOT)).hasMessageContaining("not both");
        Map<String, Object> badBool = new HashMap<>(minimal);
        badBool.put("createReadModelTable", "yes");
        assertThatThrownBy(() -> ProjectorStackProps.fromContext(badBool::get, ROOT)).hasMessageContaining("true or false");
    }

    @Test
    void theAppFindsTheRepositoryRootAboveDeploy() {
        assertThat(ProjectorApp.findRepositoryRoot()).isEqualTo(ROOT);
    }
}
