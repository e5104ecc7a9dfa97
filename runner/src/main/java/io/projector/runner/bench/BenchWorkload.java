package io.projector.runner.bench;

import io.projector.runner.SourceTableWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The benchmark's backlog: the reference domain (customers, orders with lines, status changes,
 * deleted orders; topics, posts, likes with a third on three hot posts, unlikes) written in rounds
 * of about 1,900 changes. Each round mixes every kind of change, so any prefix of the stream looks
 * like the whole (the naive baseline may only get through a prefix), and touches an item at most
 * once, so a round can go out as parallel BatchWriteItem calls without reordering changes of one
 * item. Seeded: the same seed writes the same changes.
 */
final class BenchWorkload {

    private static final List<String> STATUSES = List.of("PENDING", "PAID", "SHIPPED", "DELIVERED");
    private static final Instant EPOCH = Instant.parse("2024-06-01T00:00:00Z");
    private static final int CUSTOMERS = 500;
    private static final int TOPICS = 10;
    private static final int POSTS_PER_TOPIC = 20;
    private static final int USERS = 30_000;
    private static final int HOT_POSTS = 3;
    private static final int ORDERS_PER_ROUND = 150;
    private static final int MOVES_PER_ROUND = 250;
    private static final int DELETES_PER_ROUND = 8;
    private static final int EDITS_PER_ROUND = 5;
    private static final int LIKES_PER_ROUND = 900;
    private static final int UNLIKES_PER_ROUND = 100;

    /** An order as the workload last wrote it. */
    record Order(String id, String customerId, String date, int lines, BigDecimal total, String status) {
        Order withStatus(String next) {
            return new Order(id, customerId, date, lines, total, next);
        }
    }

    /** What one backlog was made of. */
    record Mix(long changes, int rounds, Order sentinel) {
    }

    private final SourceTableWriter writer;
    private final Random random;
    private final List<Order> orders = new ArrayList<>();
    private final List<String> likes = new ArrayList<>();
    private final Set<String> liked = new HashSet<>();
    private final List<String> posts = new ArrayList<>();
    private int nextOrder = 1;
    private int edits;

    BenchWorkload(DynamoDbClient dynamo, String table, long seed) {
        this.writer = new SourceTableWriter(dynamo, table);
        this.random = new Random(seed);
    }

    long writes() {
        return writer.writes();
    }

    /** Writes exactly {@code changes} changes; the last one is a status change that marks the end. */
    Mix writeBacklog(long changes) throws Exception {
        long start = writer.writes();
        int rounds = 0;
        while (writer.writes() - start < changes - 1) {
            List<WriteRequest> round = round(rounds++);
            long room = changes - 1 - (writer.writes() - start);
            writer.batchWrite(round.size() > room ? round.subList(0, (int) room) : round);
        }
        Order sentinel = setStatus(sentinel(), "CANCELLED");
        return new Mix(writer.writes() - start, rounds, sentinel);
    }

    /** The order whose status change ends the backlog: CANCELLED in the read model means caught up. */
    private Order sentinel() {
        return orders.stream().filter(o -> !"CANCELLED".equals(o.status())).findFirst()
                .orElseThrow(() -> new IllegalStateException("the backlog is too small to hold an order"));
    }

    List<Order> orders() {
        return orders;
    }

    private List<WriteRequest> round(int number) {
        List<WriteRequest> round = new ArrayList<>();
        if (number == 0) {
            for (int c = 1; c <= CUSTOMERS; c++) {
                round.add(SourceTableWriter.putRequest(customer(c)));
            }
            for (int t = 1; t <= TOPICS; t++) {
                for (int p = 1; p <= POSTS_PER_TOPIC; p++) {
                    String post = "p" + ((t - 1) * POSTS_PER_TOPIC + p);
                    posts.add("t" + t + "/" + post);
                    round.add(SourceTableWriter.putRequest(SourceTableWriter.item("TOPIC#t" + t, "POST#" + post, "Post",
                            "title", "Post " + post, "author", "u" + (1 + random.nextInt(USERS)),
                            "createdAt", EPOCH.minusSeconds(86_400L * (1 + random.nextInt(30))).toString())));
                }
            }
        }
        int before = orders.size();
        // Moves and deletes touch orders of earlier rounds only, each at most once in this round.
        Set<Integer> touched = new HashSet<>();
        for (int i = 0; i < MOVES_PER_ROUND && before > 0; i++) {
            int index = random.nextInt(before);
            Order order = orders.get(index);
            int step = STATUSES.indexOf(order.status());
            if (step < 0 || step == STATUSES.size() - 1 || !touched.add(index)) {
                continue;
            }
            String next = random.nextInt(20) == 0 ? "CANCELLED" : STATUSES.get(step + 1);
            Order moved = order.withStatus(next);
            orders.set(index, moved);
            round.add(SourceTableWriter.putRequest(orderItem(moved)));
        }
        List<Integer> deleted = new ArrayList<>();
        for (int i = 0; i < DELETES_PER_ROUND && before > 1; i++) {
            int index = random.nextInt(before);
            if (index == 0 || !touched.add(index)) {
                continue;   // order 0 stays: lag probes and the sentinel can rely on it
            }
            Order order = orders.get(index);
            round.add(SourceTableWriter.deleteRequest("ORDER#" + order.id(), "ORDER"));
            for (int n = 1; n <= order.lines(); n++) {
                round.add(SourceTableWriter.deleteRequest("ORDER#" + order.id(), "ITEM#" + n));
            }
            deleted.add(index);
        }
        deleted.stream().sorted((a, b) -> b - a).forEach(i -> orders.remove((int) i));
        for (int i = 0; i < ORDERS_PER_ROUND; i++) {
            newOrder(round);
        }
        if (number > 0) {
            for (int i = 0; i < EDITS_PER_ROUND; i++) {
                Map<String, AttributeValue> profile = customer(1 + (edits++ % CUSTOMERS));
                profile.put("email", AttributeValue.fromS("edit" + edits + "@example.org"));
                round.add(SourceTableWriter.putRequest(profile));
            }
        }
        int earlierLikes = likes.size();
        Set<Integer> unliked = new HashSet<>();
        for (int i = 0; i < UNLIKES_PER_ROUND && earlierLikes > 0; i++) {
            unliked.add(random.nextInt(earlierLikes));
        }
        for (int i = 0; i < LIKES_PER_ROUND; i++) {
            String post = random.nextInt(3) == 0 ? posts.get(random.nextInt(HOT_POSTS)) : posts.get(random.nextInt(posts.size()));
            String user = "u" + (1 + random.nextInt(USERS));
            if (liked.add(user + "/" + post)) {
                likes.add(user + "/" + post);
                round.add(SourceTableWriter.putRequest(like(user, post)));
            }
        }
        unliked.stream().sorted((a, b) -> b - a).forEach(i -> {
            String pair = likes.remove((int) i);
            liked.remove(pair);
            String[] parts = pair.split("/");
            round.add(SourceTableWriter.deleteRequest("USER#" + parts[0], "LIKE#" + parts[2]));
        });
        return round;
    }

    private void newOrder(List<WriteRequest> round) {
        String id = "o" + nextOrder++;
        String customer = "c" + (1 + random.nextInt(CUSTOMERS));
        String date = LocalDate.of(2024, 1, 1).plusDays(random.nextInt(366)).toString();
        int lines = 1 + random.nextInt(5);
        BigDecimal total = BigDecimal.ZERO;
        for (int n = 1; n <= lines; n++) {
            int qty = 1 + random.nextInt(4);
            BigDecimal price = BigDecimal.valueOf(100 + random.nextInt(9900), 2);
            total = total.add(price.multiply(BigDecimal.valueOf(qty)));
            round.add(SourceTableWriter.putRequest(SourceTableWriter.item("ORDER#" + id, "ITEM#" + n, "OrderItem",
                    "customerId", customer, "orderDate", date, "product", "product-" + random.nextInt(50), "qty", qty, "price", price)));
        }
        Order order = new Order(id, customer, date, lines, total, "PENDING");
        orders.add(order);
        round.add(SourceTableWriter.putRequest(orderItem(order)));
    }

    /** A live status change of an order, written at once (UpdateItem): what the lag probes time. */
    Order setStatus(Order order, String status) {
        writer.setAttribute("ORDER#" + order.id(), "ORDER", "status", AttributeValue.fromS(status));
        Order moved = order.withStatus(status);
        int index = orders.indexOf(order);
        if (index >= 0) {
            orders.set(index, moved);
        }
        return moved;
    }

    /** A change of the lag phase, planned ahead so that several threads can write the plan at a fixed rate. */
    record LiveChange(Order probe, String status, Map<String, AttributeValue> like) {
        boolean isProbe() {
            return probe != null;
        }
    }

    /**
     * Plans {@code count} live changes: every {@code probeEvery}-th a status change of the next
     * order (round robin, so one order is not changed twice in quick succession), the rest new likes.
     */
    List<LiveChange> planLive(int count, int probeEvery) {
        List<LiveChange> plan = new ArrayList<>(count);
        int next = 1;
        for (int i = 0; i < count; i++) {
            if (i % probeEvery == 0) {
                int index = next++ % orders.size();
                Order order = orders.get(index);
                String status = "SHIPPED".equals(order.status()) ? "DELIVERED" : "SHIPPED";
                orders.set(index, order.withStatus(status));
                plan.add(new LiveChange(order, status, null));
            } else {
                plan.add(new LiveChange(null, null, newLike()));
            }
        }
        return plan;
    }

    /** Writes one planned live change at once (UpdateItem or PutItem); safe from several threads. */
    void write(LiveChange change) {
        if (change.isProbe()) {
            writer.setAttribute("ORDER#" + change.probe().id(), "ORDER", "status", AttributeValue.fromS(change.status()));
        } else {
            writer.put(change.like());
        }
    }

    private Map<String, AttributeValue> newLike() {
        for (int attempt = 0; attempt < 100; attempt++) {
            String post = posts.get(random.nextInt(posts.size()));
            String user = "u" + (1 + random.nextInt(USERS));
            if (liked.add(user + "/" + post)) {
                likes.add(user + "/" + post);
                return like(user, post);
            }
        }
        throw new IllegalStateException("no unliked (user, post) pair found in 100 tries");
    }

    private static Map<String, AttributeValue> customer(int c) {
        return SourceTableWriter.item("CUSTOMER#c" + c, "PROFILE", "Customer", "name", "Customer c" + c, "email", "c" + c + "@example.com");
    }

    static Map<String, AttributeValue> orderItem(Order order) {
        return SourceTableWriter.item("ORDER#" + order.id(), "ORDER", "Order", "customerId", order.customerId(),
                "orderDate", order.date(), "status", order.status(), "total", order.total());
    }

    private Map<String, AttributeValue> like(String user, String topicAndPost) {
        String[] parts = topicAndPost.split("/");
        return SourceTableWriter.item("USER#" + user, "LIKE#" + parts[1], "Like", "topic", parts[0],
                "likedAt", EPOCH.plusSeconds(random.nextInt(30 * 86_400)).toString());
    }
}
