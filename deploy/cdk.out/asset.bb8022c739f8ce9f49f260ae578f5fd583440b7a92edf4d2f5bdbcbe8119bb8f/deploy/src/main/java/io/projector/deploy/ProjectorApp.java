package io.projector.deploy;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app: one {@link ProjectorStack} configured from CDK context. Run by the CDK CLI from
 * {@code deploy/} (see {@code deploy/cdk.json}):
 *
 * <pre>
 * cd deploy
 * npx aws-cdk deploy -c sourceTable=orders -c sourceStreamArn=arn:aws:dynamodb:...:table/orders/stream/...
 * </pre>
 *
 * The stack name is {@code Projector-<source table>} unless {@code -c stackName=...}. With
 * {@code vpcId} (an existing VPC is looked up) the stack is bound to the account and region of the
 * CLI's credentials; otherwise it is environment-agnostic. cdk-nag's AwsSolutions checks run on
 * every synth: an unsuppressed error fails it.
 */
public final class ProjectorApp {

    private ProjectorApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        Object root = app.getNode().tryGetContext("repoRoot");
        Path repoRoot = root != null ? Path.of(String.valueOf(root)).toAbsolutePath().normalize() : findRepositoryRoot();
        ProjectorStackProps props = ProjectorStackProps.fromContext(app.getNode()::tryGetContext, repoRoot);
        Object name = app.getNode().tryGetContext("stackName");
        String stackName = name != null ? String.valueOf(name) : "Projector-" + props.sourceTableName();

        StackProps.Builder stackProps = StackProps.builder()
                .stackName(stackName)
                .description("Projector worker on ECS Fargate: " + props.sourceTableName() + " -> " + props.readModelTableName());
        if (props.vpcId() != null) {
            stackProps.env(Environment.builder()
                    .account(System.getenv("CDK_DEFAULT_ACCOUNT"))
                    .region(System.getenv("CDK_DEFAULT_REGION"))
                    .build());
        }
        new ProjectorStack(app, stackName, stackProps.build(), props);
        Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
        app.synth();
    }

    /** The directory above the working directory that holds deploy/Dockerfile (the CLI runs the app in deploy/). */
    static Path findRepositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("deploy/Dockerfile"))) {
                return d;
            }
        }
        throw new IllegalStateException("no deploy/Dockerfile above " + dir + "; give -c repoRoot=PATH, or -c image=URI");
    }
}
