package io.projector.ops;

import io.projector.ItemKey;
import io.projector.internal.store.TimeToLive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/**
 * Creates the tables Projector works with, when asked ({@code --create-tables}, the demo, tests);
 * never silently. All are on-demand (PAY_PER_REQUEST), keyed by string {@code PK} and {@code SK}.
 */
public final class Tables {

    private static final Logger log = LoggerFactory.getLogger(Tables.class);
    /** The attribute of engine items that expire: dead letters and hand-off markers (epoch seconds). */
    public static final String TIME_TO_LIVE_ATTRIBUTE = "expiresAt";

    private Tables() {
    }

    /** A single-table source with its stream on, NEW_AND_OLD_IMAGES. Returns whether it was created. */
    public static boolean createSourceTable(DynamoDbClient dynamo, String name) {
        return create(dynamo, base(name)
                .streamSpecification(StreamSpecification.builder().streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES).build())
                .build());
    }

    /**
     * The read-model table with the overloaded indexes GSI1 (GSI1PK, GSI1SK) and GSI2 (GSI2PK, GSI2SK),
     * and its time to live on {@value #TIME_TO_LIVE_ATTRIBUTE} (switched on also when the table existed
     * without it). Returns whether the table was created.
     */
    public static boolean createReadModelTable(DynamoDbClient dynamo, String name) {
        boolean created = createReadModelTableOnly(dynamo, name);
        enableTimeToLive(dynamo, name);
        return created;
    }

    private static boolean createReadModelTableOnly(DynamoDbClient dynamo, String name) {
        return create(dynamo, base(name)
                .attributeDefinitions(
                        attribute(ItemKey.PARTITION_KEY), attribute(ItemKey.SORT_KEY),
                        attribute("GSI1PK"), attribute("GSI1SK"), attribute("GSI2PK"), attribute("GSI2SK"))
                .globalSecondaryIndexes(index("GSI1"), index("GSI2"))
                .build());
    }

    /**
     * The KCL lease table of an application, with the index KCL 3 adds itself. Creating it ahead
     * saves the KCL's index-status polling (about 10 s) on the first start.
     */
    public static boolean createLeaseTable(DynamoDbClient dynamo, String applicationName) {
        return create(dynamo, CreateTableRequest.builder()
                .tableName(applicationName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("leaseKey").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("leaseOwner").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("leaseKey").keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder()
                        .indexName("LeaseOwnerToLeaseKeyIndex")
                        .keySchema(
                                KeySchemaElement.builder().attributeName("leaseOwner").keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName("leaseKey").keyType(KeyType.RANGE).build())
                        .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build())
                        .build())
                .build());
    }

    /**
     * Switches the table's TTL on for {@value #TIME_TO_LIVE_ATTRIBUTE} unless it is on (or being
     * switched on) already. A table whose TTL uses another attribute is left as it is, with a warning:
     * a table has one TTL attribute, and another service may rely on it.
     */
    public static void enableTimeToLive(DynamoDbClient dynamo, String table) {
        TimeToLiveDescription ttl = dynamo.describeTimeToLive(b -> b.tableName(table)).timeToLiveDescription();
        TimeToLiveStatus status = ttl.timeToLiveStatus();
        if (status == TimeToLiveStatus.ENABLED || status == TimeToLiveStatus.ENABLING) {
            if (!TIME_TO_LIVE_ATTRIBUTE.equals(ttl.attributeName())) {
                log.warn("table {} expires items by '{}', not '{}': dead letters and hand-off markers will not expire; "
                        + "delete them with `projector dlq purge` or point the TTL at {}", table, ttl.attributeName(), TIME_TO_LIVE_ATTRIBUTE,
                        TIME_TO_LIVE_ATTRIBUTE);
            }
            return;
        }
        dynamo.updateTimeToLive(b -> b.tableName(table).timeToLiveSpecification(
                TimeToLiveSpecification.builder().enabled(true).attributeName(TIME_TO_LIVE_ATTRIBUTE).build()));
        log.info("time to live on '{}' switched on for table {} (dead letters, hand-off markers)", TIME_TO_LIVE_ATTRIBUTE, table);
    }

    /**
     * Null when the table expires items by {@value #TIME_TO_LIVE_ATTRIBUTE}; else one line saying
     * what keeps dead letters and hand-off markers for ever and what to do, for a warning at start.
     */
    public static String timeToLiveProblem(DynamoDbClient dynamo, String table) {
        return TimeToLive.problem(dynamo, table);
    }

    public static boolean exists(DynamoDbClient dynamo, String name) {
        try {
            dynamo.describeTable(b -> b.tableName(name));
            return true;
        } catch (ResourceNotFoundException e) {
            return false;
        }
    }

    private static CreateTableRequest.Builder base(String name) {
        return CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attribute(ItemKey.PARTITION_KEY), attribute(ItemKey.SORT_KEY))
                .keySchema(
                        KeySchemaElement.builder().attributeName(ItemKey.PARTITION_KEY).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(ItemKey.SORT_KEY).keyType(KeyType.RANGE).build());
    }

    private static AttributeDefinition attribute(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    private static GlobalSecondaryIndex index(String name) {
        return GlobalSecondaryIndex.builder()
                .indexName(name)
                .keySchema(
                        KeySchemaElement.builder().attributeName(name + "PK").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(name + "SK").keyType(KeyType.RANGE).build())
                .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                .build();
    }

    private static boolean create(DynamoDbClient dynamo, CreateTableRequest request) {
        if (exists(dynamo, request.tableName())) {
            return false;
        }
        try {
            dynamo.createTable(request);
        } catch (ResourceInUseException e) {
            return false;
        }
        dynamo.waiter().waitUntilTableExists(b -> b.tableName(request.tableName()));
        log.info("created table {}", request.tableName());
        return true;
    }
}
