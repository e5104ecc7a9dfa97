package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ops.Tables;
import io.projector.local.LocalDynamoDb;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** A backfill into a read-model table that is not there says how to create it, and takes the flag it names. */
class BackfillCreateTablesTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void theMissingTableMessageNamesAFlagTheBackfillTakes() {
        try (LocalDynamoDb local = LocalDynamoDb.inMemory();
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(LocalDynamoDb.CREDENTIALS).build()) {
            Tables.createSourceTable(dynamo, "bf-source");
            String endpoint = local.endpoint().toString();
            assertThat(run("backfill", "--source-table", "bf-source", "--read-model-table", "bf-read-model", "--endpoint", endpoint,
                    "--run-worker")).as(err::toString).isEqualTo(2);
            assertThat(err.toString()).contains("read-model table 'bf-read-model' does not exist").contains("--create-tables");

            assertThat(run("backfill", "--source-table", "bf-source", "--read-model-table", "bf-read-model", "--endpoint", endpoint,
                    "--run-worker", "--create-tables")).as(err::toString).isZero();
            assertThat(out.toString()).contains("backfill of").contains("complete");
            assertThat(Tables.exists(dynamo, "bf-read-model")).isTrue();
        }
    }
}
