package io.projector.runner;

import io.projector.runner.demo.DemoWorkload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.worker.Projector;
import io.projector.worker.ProjectorConfig;
import io.projector.ops.Tables;
import io.projector.ops.ReadModelVerifier;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The same end-to-end path against LocalStack, whose streams look like AWS's (real region in the
 * ARN, no translation). Runs where a Docker engine is available; reported as skipped elsewhere.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackIT {

    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(DockerImageName.parse("localstack/localstack:3.8"))
            .withServices(LocalStackContainer.Service.DYNAMODB);

    @Test
    void projectsTheReferenceWorkloadOnLocalStack() throws Exception {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey()));
        try (DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(LOCALSTACK.getEndpoint())
                .region(Region.of(LOCALSTACK.getRegion())).credentialsProvider(credentials).build()) {
            Tables.createSourceTable(dynamo, "ls-source");
            Tables.createReadModelTable(dynamo, "ls-read");
            Tables.createLeaseTable(dynamo, "ls-app");
            ProjectorConfig config = ProjectorConfig.builder().sourceTable("ls-source").readModelTable("ls-read")
                    .applicationName("ls-app").region(LOCALSTACK.getRegion()).endpoint(LOCALSTACK.getEndpoint())
                    .credentials(credentials).fastLocalTuning().build();
            ReadModelVerifier verifier = new ReadModelVerifier(dynamo, ProjectionCatalog.builtIn().select(null), "type");
            try (Projector projector = Projector.start(config, ProjectionCatalog.builtIn().select(null))) {
                new DemoWorkload(dynamo, "ls-source", "ls-", 3).run(10, 50);
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> verifier.verify("ls-source", "ls-read").matches());
                assertThat(verifier.verify("ls-source", "ls-read").actualItems()).isGreaterThan(50);
            }
        }
    }
}
