package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.projector.ops.Tables;
import io.projector.local.LocalDynamoDb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A projection shipped as a plugin jar, built here as a user's build would, runs in
 * {@code projector run --plugins DIR} (a JVM of its own, from the packaged jar) end to end on
 * DynamoDB Local.
 */
class PluginsIT {

    @TempDir
    Path temp;

    @Test
    void aPluginProjectionProjectsInTheWorker() throws Exception {
        Path plugins = temp.resolve("plugins");
        new PluginJarBuilder()
                .projection("com.acme.notes.NoteCopyProjection",
                        PluginJarBuilder.copyProjection("com.acme.notes.NoteCopyProjection", "note-copy", "Note", "NOTE#", "COPY"))
                .build(plugins, "notes.jar");

        try (LocalDynamoDb local = LocalDynamoDb.inMemory();
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(LocalDynamoDb.CREDENTIALS).build()) {
            Tables.createSourceTable(dynamo, "notes");
            WorkerProcess worker = WorkerProcess.start("plugins", "run", "--endpoint", local.endpoint().toString(),
                    "--source-table", "notes", "--read-model-table", "notes-read", "--application-name", "plugins-test",
                    "--create-tables", "--plugins", plugins.toString(), "--projections", "note-copy");
            try {
                dynamo.putItem(b -> b.tableName("notes").item(Map.of(
                        "PK", AttributeValue.fromS("NOTE#1"), "SK", AttributeValue.fromS("NOTE"), "type", AttributeValue.fromS("Note"),
                        "id", AttributeValue.fromS("1"), "text", AttributeValue.fromS("written by a plugin"))));

                // A new KCL application waits up to ~30 s before its first shard sync.
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                        .until(() -> copyText(dynamo) != null || !worker.isAlive());
                assertThat(worker.isAlive()).as(worker::log).isTrue();
                assertThat(copyText(dynamo)).isEqualTo("written by a plugin");
                assertThat(worker.log()).contains("projection note-copy (com.acme.notes.NoteCopyProjection)");

                assertThat(worker.terminate()).as("exit code after SIGTERM; log:\n%s", worker.log()).isZero();
                assertThat(worker.log()).contains("SIGTERM received: stopping gracefully");
            } finally {
                if (worker.isAlive()) {
                    worker.kill();
                }
            }
        }
    }

    private static String copyText(DynamoDbClient dynamo) {
        if (!Tables.exists(dynamo, "notes-read")) {
            return null;
        }
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName("notes-read").consistentRead(true).key(Map.of(
                "PK", AttributeValue.fromS("NOTE#1"), "SK", AttributeValue.fromS("COPY")))).item();
        return item == null || !item.containsKey("text") ? null : item.get("text").s();
    }
}
