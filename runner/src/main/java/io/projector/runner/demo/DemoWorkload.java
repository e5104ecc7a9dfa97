package io.projector.runner.demo;

import io.projector.runner.SourceTableWriter;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The reference workload of the orders domain, written into the source table through the ordinary
 * SDK as an orders service would: customers, orders with 1–5 lines, then status changes, profile
 * edits and some deleted orders. Seeded, so a run is repeatable.
 */
public final class DemoWorkload {

    public static final List<String> STATUSES = List.of("PENDING", "PAID", "SHIPPED", "DELIVERED");
    private static final List<String> PRODUCTS = List.of("kettle", "teapot", "mug", "grinder", "filter", "scale", "tray", "spoon");

    /** One order as the workload knows it, so later phases can change it consistently. */
    public record Order(String id, String customerId, String date, int lines) {
    }

    private final SourceTableWriter writer;
    private final String prefix;
    private final Random random;
    private final List<Order> orders = new ArrayList<>();
    private final Map<String, String> statuses = new HashMap<>();

    public DemoWorkload(DynamoDbClient dynamo, String table, String prefix, long seed) {
        this.writer = new SourceTableWriter(dynamo, table);
        this.prefix = prefix;
        this.random = new Random(seed);
    }

    public long writes() {
        return writer.writes();
    }

    public List<Order> orders() {
        return orders;
    }

    public String status(String orderId) {
        return statuses.get(orderId);
    }

    public void run(int customerCount, int orderCount) throws Exception {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int c = 1; c <= customerCount; c++) {
            String id = customerId(c);
            items.add(SourceTableWriter.item("CUSTOMER#" + id, "PROFILE", "Customer", "name", "Customer " + id, "email", id + "@example.com"));
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
                items.add(SourceTableWriter.item("ORDER#" + id, "ITEM#" + n, "OrderItem", "customerId", customer, "orderDate", date,
                        "product", PRODUCTS.get(random.nextInt(PRODUCTS.size())), "qty", qty, "price", price));
            }
            items.add(SourceTableWriter.item("ORDER#" + id, "ORDER", "Order", "customerId", customer, "orderDate", date,
                    "status", "PENDING", "total", total));
            orders.add(new Order(id, customer, date, lines));
            statuses.put(id, "PENDING");
        }
        writer.putAll(items);

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
            updates.add(List.of(() -> writer.put(SourceTableWriter.item("CUSTOMER#" + id, "PROFILE", "Customer", "name", "Customer " + id, "email", id + "@example.org"))));
        }
        // The updates of one item stay in order on one thread; different items go in parallel.
        SourceTableWriter.inParallel(updates.stream().<Runnable>map(u -> () -> u.forEach(Runnable::run)).toList());

        // Some orders are deleted, with their lines.
        List<WriteRequest> deletes = new ArrayList<>();
        List<Order> kept = new ArrayList<>();
        for (Order order : orders) {
            if (random.nextInt(100) < 5) {
                deletes.add(SourceTableWriter.deleteRequest("ORDER#" + order.id(), "ORDER"));
                for (int n = 1; n <= order.lines(); n++) {
                    deletes.add(SourceTableWriter.deleteRequest("ORDER#" + order.id(), "ITEM#" + n));
                }
                statuses.remove(order.id());
            } else {
                kept.add(order);
            }
        }
        orders.clear();
        orders.addAll(kept);
        writer.batchWrite(deletes);
    }

    private String customerId(int c) {
        return prefix + "c" + c;
    }

    public void setStatus(Order order, String status) {
        writer.setAttribute("ORDER#" + order.id(), "ORDER", "status", AttributeValue.fromS(status));
    }
}
