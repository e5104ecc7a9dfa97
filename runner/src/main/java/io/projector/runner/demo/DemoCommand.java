package io.projector.runner.demo;

import io.projector.Projection;
import io.projector.worker.Projector;
import io.projector.worker.ProjectorConfig;
import io.projector.worker.ProjectorStats;
import io.projector.ops.Tables;
import io.projector.projections.ShardedCounters;
import io.projector.projections.ShardedOrderCountProjection;
import io.projector.ops.ReadModelVerifier;
import io.projector.ops.VerificationResult;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import io.projector.runner.Connection;
import io.projector.runner.DataDirOption;
import io.projector.runner.EmbeddedDynamo;
import io.projector.runner.ProjectionCatalog;
import io.projector.runner.TimeoutOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * {@code projector demo}: the whole path on the embedded DynamoDB Local, from a reference workload
 * in the source table to a verified read model, with the figures a newcomer wants to see.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start DynamoDB Local, write a reference workload, project it, show and verify the read model.")
public final class DemoCommand implements Callable<Integer> {

    static final String SOURCE = "demo-source";
    static final String READ_MODEL = "demo-read-model";
    static final String APPLICATION = "projector-demo";

    /** The size of the likes workload: topics, posts, users. */
    static final int TOPICS = 5;
    static final int POSTS = 50;

    /** The demo's own database, apart from run --local's, so that trying the demo never touches a development setup. */
    static final Path DATA_DIR = Path.of(".projector-demo");

    @Mixin DataDirOption data;

    @Option(names = "--port", defaultValue = "0", description = "DynamoDB Local's port on 127.0.0.1 (default: a free one).")
    int port;

    @Option(names = "--customers", defaultValue = "200", description = "Customers to create (default ${DEFAULT-VALUE}).")
    int customers;

    @Option(names = "--orders", defaultValue = "2000", description = "Orders to create, each with 1-5 lines (default ${DEFAULT-VALUE}).")
    int orders;

    @Option(names = "--users", defaultValue = "300",
            description = "Users of the topics, posts and likes workload, each liking 1-12 of its " + POSTS + " posts (default ${DEFAULT-VALUE}).")
    int users;

    @Mixin TimeoutOption timeout;

    @Option(names = "--lag-samples", defaultValue = "100",
            description = "Live changes whose end-to-end lag is measured one after another after the catch-up (default ${DEFAULT-VALUE}).")
    int lagSamples;

    private final PrintStream out = System.out;
    private Path dataDir;
    private long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        EmbeddedDynamo.require("projector demo");
        dataDir = data.orElse(DATA_DIR);
        timeoutSeconds = timeout.orElse(300);
        if (customers < 1 || orders < 1 || users < 1) {
            throw new IllegalArgumentException("--customers, --orders and --users must be at least 1");
        }
        if (lagSamples < 1) {
            throw new IllegalArgumentException("--lag-samples must be at least 1, was " + lagSamples);
        }
        int run = nextRunNumber();
        out.printf("Projector demo, run %d: DynamoDB Local with its data in %s%n", run, dataDir.toAbsolutePath());
        List<Projection> projections = ProjectionCatalog.builtIn().select(List.of());
        try (Connection connection = Connection.embedded(dataDir, port)) {
            DynamoDbClient dynamo = connection.dynamo();
            Tables.createSourceTable(dynamo, SOURCE);
            Tables.createReadModelTable(dynamo, READ_MODEL);
            Tables.createLeaseTable(dynamo, APPLICATION);
            out.printf("  DynamoDB Local on %s; tables %s (stream on), %s, %s (leases)%n",
                    connection.endpoint(), SOURCE, READ_MODEL, APPLICATION);

            ProjectorConfig config = ProjectorConfig.builder()
                    .sourceTable(SOURCE).readModelTable(READ_MODEL).applicationName(APPLICATION)
                    .region(connection.region()).endpoint(connection.endpoint()).credentials(connection.credentials())
                    .fastLocalTuning().build();
            long started = System.nanoTime();
            try (Projector projector = Projector.start(config, projections)) {
                out.printf("  worker started with projections %s%n",
                        projections.stream().map(Projection::name).toList());

                DemoWorkload workload = new DemoWorkload(dynamo, SOURCE, "r" + run + "-", 42L + run);
                long writeStart = System.nanoTime();
                workload.run(customers, orders);
                double writeSeconds = seconds(writeStart);
                out.printf("  wrote %,d changes to %s in %.1f s (%d customers, %d orders with 1-5 lines, status changes, edits, deletions)%n",
                        workload.writes(), SOURCE, writeSeconds, customers, orders);

                LikesWorkload likes = new LikesWorkload(dynamo, SOURCE, "r" + run + "-", 4242L + run);
                long likesStart = System.nanoTime();
                likes.run(TOPICS, POSTS, users);
                out.printf("  wrote %,d changes to %s in %.1f s (%d topics, %d posts, %d users: %,d likes, %,d unlikes, "
                                + "%d posts liked before they existed, %d deleted and created again, %d deleted for good)%n",
                        likes.writes(), SOURCE, seconds(likesStart), TOPICS, POSTS, users, likes.likesWritten(), likes.unlikes(),
                        likes.likedBeforeTheirPost(), likes.recreated(), likes.deletedForGood());

                ReadModelVerifier verifier = new ReadModelVerifier(dynamo, projections, config.entityTypeAttribute());
                VerificationResult result = awaitCatchUp(verifier);
                double caughtUp = seconds(writeStart);
                ProjectorStats stats = projector.stats();
                out.printf("  caught up %.1f s after the first write; %,d stream records projected in %,d transactions "
                                + "(%,d item writes), %.0f records/s%n",
                        caughtUp, stats.eventsSeen(), stats.chunksCommitted(), stats.itemWrites(), stats.eventsSeen() / caughtUp);
                if (!result.matches()) {
                    out.println("  " + result.summary(10));
                    return 1;
                }

                List<Long> lags = measureLag(dynamo, workload, lagSamples);
                out.printf("  end-to-end lag (source write -> read-model item readable), %d live changes: p50 %d ms, p99 %d ms, max %d ms%n",
                        lags.size(), percentile(lags, 50), percentile(lags, 99), lags.get(lags.size() - 1));

                showQueries(dynamo, workload, likes, projections);

                VerificationResult last = verifier.verify(SOURCE, READ_MODEL);
                out.println("  verification: " + last.summary(10));
                out.printf("  total time %.1f s; run `projector demo` again to add run %d to the same data%n", seconds(started), run + 1);
                return last.matches() ? 0 : 1;
            }
        }
    }

    private VerificationResult awaitCatchUp(ReadModelVerifier verifier) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        VerificationResult result = verifier.verify(SOURCE, READ_MODEL);
        while (!result.matches() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            result = verifier.verify(SOURCE, READ_MODEL);
        }
        return result;
    }

    /** Changes orders one at a time and times how long each takes to show in the read model. */
    private List<Long> measureLag(DynamoDbClient dynamo, DemoWorkload workload, int probes) throws InterruptedException {
        List<Long> lags = new ArrayList<>();
        List<DemoWorkload.Order> live = workload.orders();
        for (int i = 0; i < probes && i < live.size(); i++) {
            DemoWorkload.Order order = live.get(i);
            String status = "SHIPPED".equals(workload.status(order.id())) ? "DELIVERED" : "SHIPPED";
            long start = System.nanoTime();
            workload.setStatus(order, status);
            Map<String, AttributeValue> key = Map.of(
                    "PK", AttributeValue.fromS("CUSTOMER#" + order.customerId()),
                    "SK", AttributeValue.fromS("ORDER#" + order.date() + "#" + order.id()));
            long deadline = start + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(READ_MODEL).key(key).consistentRead(true)).item();
                if (item.containsKey("status") && status.equals(item.get("status").s())) {
                    break;
                }
                Thread.sleep(2);
            }
            lags.add((System.nanoTime() - start) / 1_000_000);
            Thread.sleep(30);
        }
        Collections.sort(lags);
        return lags;
    }

    private void showQueries(DynamoDbClient dynamo, DemoWorkload workload, LikesWorkload likes, List<Projection> projections) {
        DemoWorkload.Order order = workload.orders().get(0);
        String customer = "CUSTOMER#" + order.customerId();
        out.println("  sample queries of the read model:");

        List<Map<String, AttributeValue>> collection = query(dynamo, QueryRequest.builder().tableName(READ_MODEL)
                .keyConditionExpression("PK = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(customer))).build());
        long orderCount = collection.stream().filter(i -> i.get("SK").s().startsWith("ORDER#") && !i.get("SK").s().contains("#ITEM#")).count();
        out.printf("    customer %s, one Query: %d items (profile, %d orders, their lines, totals)%n", order.customerId(), collection.size(), orderCount);

        List<Map<String, AttributeValue>> range = query(dynamo, QueryRequest.builder().tableName(READ_MODEL)
                .keyConditionExpression("PK = :pk AND SK BETWEEN :from AND :to")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(customer),
                        ":from", AttributeValue.fromS("ORDER#2024-01-01"), ":to", AttributeValue.fromS("ORDER#2024-06-30~"))).build());
        out.printf("    its orders in 2024-01-01..2024-06-30 (SK BETWEEN): %d orders%n",
                range.stream().filter(i -> !i.get("SK").s().contains("#ITEM#")).count());

        List<Map<String, AttributeValue>> one = query(dynamo, QueryRequest.builder().tableName(READ_MODEL)
                .keyConditionExpression("PK = :pk AND begins_with(SK, :prefix)")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(customer),
                        ":prefix", AttributeValue.fromS("ORDER#" + order.date() + "#" + order.id()))).build());
        out.printf("    order %s with its lines (begins_with): %d items%n", order.id(), one.size());

        List<Map<String, AttributeValue>> shipped = query(dynamo, QueryRequest.builder().tableName(READ_MODEL).indexName("GSI1")
                .keyConditionExpression("GSI1PK = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("STATUS#SHIPPED")))
                .scanIndexForward(false).limit(3).build());
        out.printf("    newest SHIPPED orders (GSI1): %s%n", shipped.stream().map(i -> i.get("GSI1SK").s()).toList());

        List<Map<String, AttributeValue>> byId = query(dynamo, QueryRequest.builder().tableName(READ_MODEL).indexName("GSI2")
                .keyConditionExpression("GSI2PK = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("ORDER#" + order.id()))).build());
        out.printf("    order %s by id (GSI2): %s%n", order.id(),
                byId.stream().map(i -> i.get("PK").s() + " status=" + i.get("status").s() + " total=" + i.get("total").n()).toList());

        List<Map<String, AttributeValue>> stats = query(dynamo, QueryRequest.builder().tableName(READ_MODEL)
                .keyConditionExpression("PK = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("STATS#ORDERS"))).build());
        out.printf("    orders per status (STATS#ORDERS): %s%n",
                stats.stream().map(i -> i.get("SK").s().substring("STATUS#".length()) + "=" + i.get("count").n()).toList());

        for (Projection p : projections) {
            if (p instanceof ShardedOrderCountProjection sharded) {
                long total = ShardedCounters.total(dynamo, READ_MODEL, ShardedOrderCountProjection.KEY_PREFIX, sharded.shards(),
                        ShardedOrderCountProjection.SORT_KEY, ShardedOrderCountProjection.ATTRIBUTE);
                out.printf("    orders in total (%s0..%d, one BatchGetItem, summed): %,d%n",
                        ShardedOrderCountProjection.KEY_PREFIX, sharded.shards() - 1, total);
            }
        }

        LikesWorkload.Post hot = likes.mostLiked();
        List<Map<String, AttributeValue>> topic = query(dynamo, QueryRequest.builder().tableName(READ_MODEL)
                .keyConditionExpression("PK = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("TOPIC#" + hot.topic()))).build());
        out.printf("    posts on topic %s with their likes (one Query): %d posts, most liked %s%n", hot.topic(), topic.size(),
                topic.stream()
                        .sorted(Comparator.comparingLong((Map<String, AttributeValue> i) -> likeCount(i)).reversed())
                        .limit(3)
                        .map(i -> i.get("SK").s().substring("POST#".length()) + "=" + likeCount(i))
                        .toList());

        List<Map<String, AttributeValue>> likers = query(dynamo, QueryRequest.builder().tableName(READ_MODEL)
                .keyConditionExpression("PK = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("POST#" + hot.id()))).build());
        out.printf("    who liked post %s (one Query): %d users, e.g. %s%n", hot.id(), likers.size(),
                likers.stream().limit(3).map(i -> i.get("SK").s().substring("LIKER#".length())).toList());
    }

    private static long likeCount(Map<String, AttributeValue> post) {
        AttributeValue n = post.get("likeCount");
        return n == null || n.n() == null ? 0 : Long.parseLong(n.n());
    }

    private static List<Map<String, AttributeValue>> query(DynamoDbClient dynamo, QueryRequest request) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        if (request.limit() != null) {
            items.addAll(dynamo.query(request).items());
        } else {
            dynamo.queryPaginator(request).items().forEach(items::add);
        }
        return items;
    }

    private int nextRunNumber() throws Exception {
        Files.createDirectories(dataDir);
        Path counter = dataDir.resolve("demo-runs");
        int run = Files.exists(counter) ? Integer.parseInt(Files.readString(counter).trim()) + 1 : 1;
        Files.writeString(counter, Integer.toString(run));
        return run;
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static long percentile(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
