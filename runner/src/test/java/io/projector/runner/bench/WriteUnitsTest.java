package io.projector.runner.bench;

import io.projector.runner.Main;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.Update;

class WriteUnitsTest {

    @Test
    void oneUnitPerStartedKilobyteTwoInATransaction() {
        assertThat(WriteUnits.standard(0)).isEqualTo(1);
        assertThat(WriteUnits.standard(1024)).isEqualTo(1);
        assertThat(WriteUnits.standard(1025)).isEqualTo(2);
        assertThat(WriteUnits.transactional(100)).isEqualTo(2);
        assertThat(WriteUnits.transactional(3000)).isEqualTo(6);
    }

    @Test
    void itemSizeIsNamesPlusValues() {
        assertThat(WriteUnits.bytes(Map.of("PK", AttributeValue.fromS("abc")))).isEqualTo(5);
        assertThat(WriteUnits.bytes(Map.of("x", AttributeValue.fromS("y".repeat(2000))))).isEqualTo(2001);
    }

    @Test
    void aTransactionCostsTwoUnitsPerItemKilobyte() {
        TransactWriteItemsRequest request = TransactWriteItemsRequest.builder().transactItems(
                TransactWriteItem.builder().put(Put.builder().tableName("t").item(Map.of(
                        "PK", AttributeValue.fromS("a"), "SK", AttributeValue.fromS("b"),
                        "big", AttributeValue.fromS("y".repeat(1500)))).build()).build(),
                TransactWriteItem.builder().update(Update.builder().tableName("t")
                        .key(Map.of("PK", AttributeValue.fromS("c"), "SK", AttributeValue.fromS("d")))
                        .updateExpression("ADD #a0 :v0").expressionAttributeNames(Map.of("#a0", "n"))
                        .expressionAttributeValues(Map.of(":v0", AttributeValue.fromN("1"))).build()).build())
                .build();
        assertThat(TransactionCostMeter.cost(request)).isEqualTo(4 + 2);
    }

    @org.junit.jupiter.api.Test
    void anUpdateIsSizedByItsKeyAndTheValuesItCarries() {
        java.util.Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> key = java.util.Map.of(
                "PK", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("P"),
                "SK", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("S"));
        java.util.Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> values = java.util.Map.of(
                ":title", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("x".repeat(2000)));
        org.assertj.core.api.Assertions.assertThat(WriteUnits.updateBytes(key, null)).as("PK + P, SK + S").isEqualTo(6);
        org.assertj.core.api.Assertions.assertThat(WriteUnits.updateBytes(key, values)).as("the key, then title and its value").isEqualTo(6 + 5 + 2000);
        org.assertj.core.api.Assertions.assertThat(WriteUnits.standard(WriteUnits.updateBytes(key, values))).isEqualTo(2);
    }
}
