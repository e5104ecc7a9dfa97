package io.projector.runner;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The reference workload of the orders domain, written into the source table through the ordinary
 * SDK as an orders service would: customers, orders with 1–5 lines, then status changes, profile
 * edits and some deleted orders. Seeded, so a run is repeatable.
 */
final class DemoWorkload {

    static final List<String> STATUSES = List.of("PENDING", "PAID", "SHIPPED", "DELIVERED");
    private static final List<String> PRODUCTS = List.of("kettle", "teapot", "mug", "grinder", "filter", "scale", "tray", "spoon");

    /** One order as the workload knows it, so later phases can change it consistently. */
    record Order(String id, String customerId, String date, int lines) {
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final String prefix;
    private final Random random;
    private final AtomicLong writes = new AtomicLong();
    private final List<Order> orders = new ArrayList<>();
    private final Map<String, String> statuses = new HashMap<>();

    DemoWorkload(DynamoDbClient dynamo, String table, String prefix, long seed) {
        this.dynamo = dynamo;
        this.table = table;
        this.prefix = prefix;
        this.random = new Random(seed);
    }

    long writes() {
        return writes.get();
    }

    List<Order> orders() {
        return orders;
    }

    String status(String orderId) {
        return statuses.get(orderId);
    }

    void run(int customerCount, int orderCount) throws Exception {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int c = 1; c <= customerCount; c++) {
            String id = customerId(c);
            items.add(item("CUSTOMER#" + id, "PROFILE", "Customer", "name", "Customer " + id, "email", id + "@example.com"));
        }
        for (int o = 1; o <= orderCount; o++) {
            String id = prefix + "o" + o;
            String customer = customerId(1 + random.nextInt(customerCount));
            String date = LocalDate.of(2024, 1, 1).plusDays(random.nextInt(366)).toString();
            int lines = 1 + random.nextInt(5);
            BigDecimal total = BigDecimal.ZERO;
            for (int n = 1; n <= lines; n++) {
                int qty = 1 + random.nextInt(4);
                BigDecimal price = BigDecimal.valueOf(100 + random.nextInt(9900), 2);
                total = total.add(price.multiply(BigDecimal.valueOf(qty)));
                items.add(item("ORDER#" + id, "ITEM#" + n, "OrderItem", "customerId", customer, "orderDate", date,
                        "product", PRODUCTS.get(random.nextInt(PRODUCTS.size())), "qty", qty, "price", price));
            }
            items.add(item("ORDER#" + id, "ORDER", "Order", "customerId", customer, "orderDate", date,
                    "status", "PENDING", "total", total));
            orders.add(new Order(id, customer, date, lines));
            statuses.put(id, "PENDING");
        }
        putAll(items);

        // Status changes: about half the orders move on one to three steps, a few are cancelled.
        List<List<Runnable>> updates = new ArrayList<>();
        for (Order order : orders) {
            if (random.nextInt(100) < 5) {
                updates.add(List.of(() -> setStatus(order, "CANCELLED")));
                statuses.put(order.id(), "CANCELLED");
                continue;
            }
            if (random.nextBoolean()) {
                int steps = 1 + random.nextInt(3);
                List<Runnable> moves = new ArrayList<>();
                for (int s = 1; s <= steps; s++) {
                    String next = STATUSES.get(s);
                    moves.add(() -> setStatus(order, next));
                }
                updates.add(moves);
                statuses.put(order.id(), STATUSES.get(steps));
            }
        }
        for (int c = 1; c <= customerCount; c += 10) {
            String id = customerId(c);
            updates.add(List.of(() -> put(item("CUSTOMER#" + id, "PROFILE", "Customer", "name", "Customer " + id, "email", id + "@example.org"))));
        }
        runPerOrder(updates);

        // Some orders are deleted, with their lines.
        List<WriteRequest> deletes = new ArrayList<>();
        List<Order> kept = new ArrayList<>();
        for (Order order : orders) {
            if (random.nextInt(100) < 5) {
                deletes.add(delete("ORDER#" + order.id(), "ORDER"));
                for (int n = 1; n <= order.lines(); n++) {
                    deletes.add(delete("ORDER#" + order.id(), "ITEM#" + n));
                }
                statuses.remove(order.id());
            } else {
                kept.add(order);
            }
        }
        orders.clear();
        orders.addAll(kept);
        batchWrite(deletes);
    }

    private String customerId(int c) {
        return prefix + "c" + c;
    }

    void setStatus(Order order, String status) {
        dynamo.updateItem(b -> b.tableName(table)
                .key(Map.of("PK", AttributeValue.fromS("ORDER#" + order.id()), "SK", AttributeValue.fromS("ORDER")))
                .updateExpression("SET #s = :s")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(status))));
        writes.incrementAndGet();
    }

    /** The updates of one item stay in order on one thread; different items go in parallel. */
    private void runPerOrder(List<List<Runnable>> updates) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = thread; i < updates.size(); i += 4) {
                        updates.get(i).forEach(Runnable::run);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private void putAll(List<Map<String, AttributeValue>> items) throws Exception {
        List<WriteRequest> requests = new ArrayList<>(items.size());
        items.forEach(i -> requests.add(WriteRequest.builder().putRequest(PutRequest.builder().item(i).build()).build()));
        batchWrite(requests);
    }

    private void put(Map<String, AttributeValue> item) {
        dynamo.putItem(b -> b.tableName(table).item(item));
        writes.incrementAndGet();
    }

    private void batchWrite(List<WriteRequest> requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int from = 0; from < requests.size(); from += 25) {
                List<WriteRequest> batch = requests.subList(from, Math.min(requests.size(), from + 25));
                futures.add(pool.submit(() -> writeBatch(batch)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private void writeBatch(List<WriteRequest> batch) {
        Map<String, List<WriteRequest>> pending = Map.of(table, batch);
        while (!pending.isEmpty()) {
            Map<String, List<WriteRequest>> request = pending;
            BatchWriteItemResponse r = dynamo.batchWriteItem(b -> b.requestItems(request));
            pending = r.hasUnprocessedItems() ? r.unprocessedItems() : Map.of();
        }
        writes.addAndGet(batch.size());
    }

    private static WriteRequest delete(String pk, String sk) {
        return WriteRequest.builder().deleteRequest(DeleteRequest.builder()
                .key(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sk))).build()).build();
    }

    private static Map<String, AttributeValue> item(String pk, String sk, String type, Object... attributes) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("PK", AttributeValue.fromS(pk));
        item.put("SK", AttributeValue.fromS(sk));
        item.put("type", AttributeValue.fromS(type));
        for (int i = 0; i < attributes.length; i += 2) {
            item.put((String) attributes[i], io.projector.AttributeValues.of(attributes[i + 1]));
        }
        return item;
    }
}
