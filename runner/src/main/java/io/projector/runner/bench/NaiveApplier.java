package io.projector.runner.bench;

import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.Write;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The baseline the benchmark compares against: what a typical Lambda stream handler does with the
 * same projections. One change at a time, each intended {@link Write} sent as its own request
 * (Put → PutItem, Delete → DeleteItem, Increment and SetAttributes → UpdateItem), no coalescing,
 * no transaction and so no watermark: cheaper per request, but neither idempotent nor batched.
 */
final class NaiveApplier {

    private final DynamoDbClient dynamo;
    private final String table;
    private final List<Projection> projections;
    private long records;
    private long requests;
    private double reportedUnits;
    private double estimatedUnits;

    NaiveApplier(DynamoDbClient dynamo, String table, List<Projection> projections) {
        this.dynamo = dynamo;
        this.table = table;
        this.projections = projections;
    }

    /** Projects one change with every projection that wants its type and sends each write at once. */
    void apply(ChangeEvent event) {
        records++;
        for (Projection projection : projections) {
            if (projection.entityTypes().contains(event.entityType())) {
                for (Write write : projection.project(event)) {
                    send(write);
                }
            }
        }
    }

    private void send(Write write) {
        estimatedUnits += units(write);
        ConsumedCapacity consumed;
        if (write instanceof Write.Put put) {
            consumed = dynamo.putItem(put(table, put)).consumedCapacity();
        } else if (write instanceof Write.Delete delete) {
            consumed = dynamo.deleteItem(delete(table, delete)).consumedCapacity();
        } else {
            consumed = dynamo.updateItem(update(table, write)).consumedCapacity();
        }
        requests++;
        if (consumed != null && consumed.capacityUnits() != null) {
            reportedUnits += consumed.capacityUnits();
        }
    }

    /** The write units of one write sent as its own request, by the pricing rules ({@link WriteUnits}). */
    static double units(Write write) {
        if (write instanceof Write.Put put) {
            return WriteUnits.standard(WriteUnits.bytes(put("t", put).item()));
        }
        if (write instanceof Write.Delete delete) {
            return WriteUnits.standard(WriteUnits.bytes(delete("t", delete).key()));
        }
        UpdateItemRequest request = update("t", write);
        return WriteUnits.standard(WriteUnits.updateBytes(request.key(), request.hasExpressionAttributeValues() ? request.expressionAttributeValues() : null));
    }

    /** What the naive consumer's writes of these changes cost, without sending them: every record, not the timed prefix. */
    static double plannedUnitsPerRecord(List<ChangeEvent> events, List<Projection> projections) {
        double units = 0;
        for (ChangeEvent event : events) {
            for (Projection projection : projections) {
                if (projection.entityTypes().contains(event.entityType())) {
                    for (Write write : projection.project(event)) {
                        units += units(write);
                    }
                }
            }
        }
        return events.isEmpty() ? 0 : units / events.size();
    }

    static PutItemRequest put(String table, Write.Put put) {
        Map<String, AttributeValue> item = new LinkedHashMap<>(put.attributes());
        item.putAll(put.key().toAttributes());
        return PutItemRequest.builder().tableName(table).item(item).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
    }

    static DeleteItemRequest delete(String table, Write.Delete delete) {
        return DeleteItemRequest.builder().tableName(table).key(delete.key().toAttributes())
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
    }

    /** An Increment (ADD) or SetAttributes (SET, REMOVE) as one UpdateItem. */
    static UpdateItemRequest update(String table, Write write) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> clauses = new ArrayList<>();
        if (write instanceof Write.Increment increment) {
            List<String> adds = new ArrayList<>();
            increment.deltas().forEach((name, delta) -> {
                int i = names.size();
                names.put("#a" + i, name);
                values.put(":v" + i, AttributeValue.fromN(delta.toPlainString()));
                adds.add("#a" + i + " :v" + i);
            });
            clauses.add("ADD " + String.join(", ", adds));
        } else {
            Write.SetAttributes set = (Write.SetAttributes) write;
            List<String> sets = new ArrayList<>();
            set.attributes().forEach((name, value) -> {
                int i = names.size();
                names.put("#a" + i, name);
                values.put(":v" + i, value);
                sets.add("#a" + i + " = :v" + i);
            });
            List<String> removes = new ArrayList<>();
            for (String name : set.removals()) {
                int i = names.size();
                names.put("#a" + i, name);
                removes.add("#a" + i);
            }
            if (!sets.isEmpty()) {
                clauses.add("SET " + String.join(", ", sets));
            }
            if (!removes.isEmpty()) {
                clauses.add("REMOVE " + String.join(", ", removes));
            }
        }
        UpdateItemRequest.Builder request = UpdateItemRequest.builder().tableName(table).key(write.key().toAttributes())
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
        if (clauses.isEmpty()) {
            // Nothing to set or remove: an update with only the key creates the item, as the engine's does.
            return request.build();
        }
        return request.updateExpression(String.join(" ", clauses)).expressionAttributeNames(names)
                .expressionAttributeValues(values.isEmpty() ? null : values).build();
    }

    long records() {
        return records;
    }

    long requests() {
        return requests;
    }

    /** Write units DynamoDB (Local) reported for the requests. */
    double reportedUnits() {
        return reportedUnits;
    }

    /** Write units by the pricing rules ({@link WriteUnits}). */
    double estimatedUnits() {
        return estimatedUnits;
    }
}
