package io.projector.it;

import io.projector.Projection;
import io.projector.local.LocalDynamoDb;
import io.projector.ops.Tables;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** One DynamoDB Local per test JVM, and fresh table names per test so tests never share a stream. */
final class TestDynamo {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static LocalDynamoDb local;
    private static DynamoDbClient client;

    private TestDynamo() {
    }

    static synchronized LocalDynamoDb local() {
        if (local == null) {
            // The Streams adapter logs through java.util.logging; route it to the test's logback config.
            org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
            org.slf4j.bridge.SLF4JBridgeHandler.install();
            local = LocalDynamoDb.inMemory();
            client = DynamoDbClient.builder().endpointOverride(local.endpoint()).region(Region.US_EAST_1)
                    .credentialsProvider(LocalDynamoDb.CREDENTIALS).build();
        }
        return local;
    }

    static DynamoDbClient client() {
        local();
        return client;
    }

    /**
     * Closes the open shard of each table's stream and opens its child (DynamoDB does this every ~4 h).
     * Only the test's own tables: rolling every stream of the shared database costs a minute late in
     * the suite and holds up every other stream call meanwhile.
     */
    static void rollOverShards(String... tables) {
        local().triggerShardRollovers(tables);
    }

    /** Source, read-model and lease tables with a unique prefix. */
    record Setup(String source, String readModel, String application) {
        ProjectorConfig.Builder config() {
            return ProjectorConfig.builder().sourceTable(source).readModelTable(readModel).applicationName(application)
                    .endpoint(local().endpoint()).credentials(LocalDynamoDb.CREDENTIALS).fastLocalTuning();
        }

        Projector start(List<Projection> projections) {
            return Projector.start(config().build(), projections);
        }

        Projector start(List<Projection> projections, java.util.function.UnaryOperator<ProjectorConfig.Builder> tuning) {
            return Projector.start(tuning.apply(config()).build(), projections);
        }
    }

    static Setup tables(String name) {
        String prefix = name + "-" + COUNTER.incrementAndGet();
        Setup s = new Setup(prefix + "-src", prefix + "-rm", prefix + "-app");
        Tables.createSourceTable(client(), s.source());
        Tables.createReadModelTable(client(), s.readModel());
        Tables.createLeaseTable(client(), s.application());
        return s;
    }

    static void putThing(String table, String pk, String sk, String group, String value, long amount) {
        client().putItem(b -> b.tableName(table).item(Map.of(
                "PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sk), "type", AttributeValue.fromS("Thing"),
                "group", AttributeValue.fromS(group), "value", AttributeValue.fromS(value),
                "amount", AttributeValue.fromN(Long.toString(amount)))));
    }

    static void deleteThing(String table, String pk, String sk) {
        client().deleteItem(b -> b.tableName(table).key(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sk))));
    }

    static Map<String, AttributeValue> get(String table, String pk, String sk) {
        return client().getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sk)))).item();
    }
}
