package io.projector.ops;

import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Where readers find the current read-model table: an alias (e.g. {@code orders-view}) names an
 * item in a small pointer table, and a rebuild's cut-over moves it to the new table in one
 * conditional write. Readers resolve the alias (and may cache it for a few seconds):
 *
 * <pre>{@code
 * String table = new ReadModelPointer(dynamo, "projector-pointers").resolve("orders-view");
 * }</pre>
 *
 * An alias without an item resolves to itself, so readers can use the pointer before any rebuild.
 */
public final class ReadModelPointer {

    /** The default pointer table. */
    public static final String DEFAULT_TABLE = "projector-pointers";

    private final DynamoDbClient dynamo;
    private final String table;

    public ReadModelPointer(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public String table() {
        return table;
    }

    /** Creates the pointer table (key {@code alias}) unless it exists. */
    public void createTable() {
        if (Tables.exists(dynamo, table)) {
            return;
        }
        try {
            dynamo.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("alias").attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("alias").keyType(KeyType.HASH).build()));
            dynamo.waiter().waitUntilTableExists(b -> b.tableName(table));
        } catch (ResourceInUseException e) {
            // Created meanwhile by another process.
        }
    }

    /** The table the alias points at, if it has been set. A strongly consistent read: right after a cut-over it sees the new table. */
    public Optional<String> current(String alias) {
        if (!Tables.exists(dynamo, table)) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("alias", AttributeValue.fromS(alias)))).item();
        return item == null || !item.containsKey("table") ? Optional.empty() : Optional.of(item.get("table").s());
    }

    /** The table to read: where the alias points, or the alias itself when it points nowhere yet. */
    public String resolve(String alias) {
        return current(alias).orElse(alias);
    }

    /**
     * Points the alias at {@code to}, but only if it still points at {@code from} (or, for a
     * {@code from} equal to the alias, nowhere yet): two cut-overs cannot both win.
     */
    public void switchTo(String alias, String from, String to) {
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(Map.of("alias", AttributeValue.fromS(alias), "table", AttributeValue.fromS(to),
                            "previous", AttributeValue.fromS(from), "switchedAt", AttributeValue.fromN(Long.toString(System.currentTimeMillis()))))
                    .conditionExpression(from.equals(alias) ? "attribute_not_exists(#t) OR #t = :from" : "#t = :from")
                    .expressionAttributeNames(Map.of("#t", "table"))
                    .expressionAttributeValues(Map.of(":from", AttributeValue.fromS(from))));
        } catch (ConditionalCheckFailedException e) {
            throw new IllegalStateException("alias '" + alias + "' no longer points at '" + from + "' (now '" + current(alias).orElse(alias)
                    + "'): another cut-over happened; nothing was changed");
        }
    }
}
