package io.projector.bench;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * A seeded batch of stream records of the reference domain, as one GetRecords would hand them to
 * the engine: new orders with their lines, status changes (MODIFY with both images), likes (a
 * third on three hot posts) and unlikes. Sequence numbers ascend with gaps, as DynamoDB's do.
 */
final class StreamBatches {

    private static final List<String> STATUSES = List.of("PENDING", "PAID", "SHIPPED", "DELIVERED");
    private static final Instant CREATED = Instant.parse("2024-06-01T00:00:00Z");

    private StreamBatches() {
    }

    static List<Record> of(int size, long seed) {
        Random random = new Random(seed);
        List<Record> records = new ArrayList<>(size);
        List<Map<String, AttributeValue>> orders = new ArrayList<>();
        List<Map<String, AttributeValue>> likes = new ArrayList<>();
        long seq = 1_000_000;
        while (records.size() < size) {
            seq += 1 + random.nextInt(10);
            int kind = random.nextInt(10);
            if (kind < 3 || orders.isEmpty()) {
                String id = "o" + records.size();
                String customer = "c" + random.nextInt(200);
                String date = "2024-05-" + (10 + random.nextInt(19));
                Map<String, AttributeValue> line = item("ORDER#" + id, "ITEM#1", "OrderItem", "customerId", s(customer),
                        "orderDate", s(date), "product", s("kettle"), "qty", n(1 + random.nextInt(4)), "price", n(new BigDecimal("12.50")));
                records.add(record(OperationType.INSERT, seq, null, line));
                seq += 1 + random.nextInt(10);
                Map<String, AttributeValue> order = item("ORDER#" + id, "ORDER", "Order", "customerId", s(customer),
                        "orderDate", s(date), "status", s("PENDING"), "total", n(new BigDecimal("50.00")));
                orders.add(order);
                records.add(record(OperationType.INSERT, seq, null, order));
            } else if (kind < 5) {
                int index = random.nextInt(orders.size());
                Map<String, AttributeValue> old = orders.get(index);
                int step = Math.min(STATUSES.size() - 1, STATUSES.indexOf(old.get("status").s()) + 1);
                Map<String, AttributeValue> now = new HashMap<>(old);
                now.put("status", s(STATUSES.get(step)));
                orders.set(index, now);
                records.add(record(OperationType.MODIFY, seq, old, now));
            } else if (kind < 9 || likes.isEmpty()) {
                int post = random.nextInt(3) == 0 ? random.nextInt(3) : random.nextInt(200);
                Map<String, AttributeValue> like = item("USER#u" + records.size(), "LIKE#p" + post, "Like",
                        "topic", s("t" + post % 10), "likedAt", s(CREATED.toString()));
                likes.add(like);
                records.add(record(OperationType.INSERT, seq, null, like));
            } else {
                Map<String, AttributeValue> like = likes.remove(random.nextInt(likes.size()));
                records.add(record(OperationType.REMOVE, seq, like, null));
            }
        }
        return records.subList(0, size);
    }

    private static Record record(OperationType type, long seq, Map<String, AttributeValue> old, Map<String, AttributeValue> now) {
        Map<String, AttributeValue> image = now != null ? now : old;
        StreamRecord.Builder body = StreamRecord.builder()
                .keys(Map.of("PK", image.get("PK"), "SK", image.get("SK")))
                .sequenceNumber(Long.toString(seq))
                .approximateCreationDateTime(CREATED)
                .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES);
        if (old != null) {
            body.oldImage(old);
        }
        if (now != null) {
            body.newImage(now);
        }
        return Record.builder().eventID("e" + seq).eventName(type).dynamodb(body.build()).build();
    }

    private static Map<String, AttributeValue> item(String pk, String sk, String type, Object... attributes) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("PK", s(pk));
        item.put("SK", s(sk));
        item.put("type", s(type));
        for (int i = 0; i < attributes.length; i += 2) {
            item.put((String) attributes[i], (AttributeValue) attributes[i + 1]);
        }
        return item;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(Object value) {
        return AttributeValue.fromN(value.toString());
    }
}
