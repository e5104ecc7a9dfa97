package io.projector.runner;

import io.projector.AttributeValues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Writes into a source table as a service would, through the ordinary SDK: single puts and
 * updates, and BatchWriteItem in batches of 25 over four threads (unprocessed items are resent).
 * Counts what it wrote.
 */
public final class SourceTableWriter {

    private static final int THREADS = 4;

    private final DynamoDbClient dynamo;
    private final String table;
    private final AtomicLong writes = new AtomicLong();

    public SourceTableWriter(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    String table() {
        return table;
    }

    DynamoDbClient dynamo() {
        return dynamo;
    }

    public long writes() {
        return writes.get();
    }

    /**
     * An item with {@code PK}, {@code SK}, {@code type}, a {@code version} and name/value pairs
     * (values as in {@link AttributeValues#of}). The version is the write's time in epoch
     * microseconds: it grows with every write of an item, across deletion and re-creation, which
     * is what a backfill's hand-off needs (README, "Replay, backfill and rebuild").
     */
    public static Map<String, AttributeValue> item(String pk, String sk, String type, Object... attributes) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("PK", AttributeValue.fromS(pk));
        item.put("SK", AttributeValue.fromS(sk));
        item.put("type", AttributeValue.fromS(type));
        item.put("version", version());
        for (int i = 0; i < attributes.length; i += 2) {
            item.put((String) attributes[i], AttributeValues.of(attributes[i + 1]));
        }
        return item;
    }

    static AttributeValue version() {
        Instant now = Instant.now();
        return AttributeValue.fromN(Long.toString(now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000));
    }

    public static WriteRequest putRequest(Map<String, AttributeValue> item) {
        return WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build();
    }

    public static WriteRequest deleteRequest(String pk, String sk) {
        return WriteRequest.builder().deleteRequest(DeleteRequest.builder()
                .key(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sk))).build()).build();
    }

    public void put(Map<String, AttributeValue> item) {
        dynamo.putItem(b -> b.tableName(table).item(item));
        writes.incrementAndGet();
    }

    public void delete(String pk, String sk) {
        dynamo.deleteItem(b -> b.tableName(table).key(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sk))));
        writes.incrementAndGet();
    }

    public void setAttribute(String pk, String sk, String name, AttributeValue value) {
        dynamo.updateItem(b -> b.tableName(table)
                .key(Map.of("PK", AttributeValue.fromS(pk), "SK", AttributeValue.fromS(sk)))
                .updateExpression("SET #n = :v, #version = :version")
                .expressionAttributeNames(Map.of("#n", name, "#version", "version"))
                .expressionAttributeValues(Map.of(":v", value, ":version", version())));
        writes.incrementAndGet();
    }

    public void putAll(List<Map<String, AttributeValue>> items) throws Exception {
        List<WriteRequest> requests = new ArrayList<>(items.size());
        items.forEach(i -> requests.add(putRequest(i)));
        batchWrite(requests);
    }

    public void batchWrite(List<WriteRequest> requests) throws Exception {
        List<Runnable> batches = new ArrayList<>();
        for (int from = 0; from < requests.size(); from += 25) {
            List<WriteRequest> batch = requests.subList(from, Math.min(requests.size(), from + 25));
            batches.add(() -> writeBatch(batch));
        }
        inParallel(batches);
    }

    /** Runs the tasks on four threads; task i runs on thread i mod 4, so tasks that must stay in order can be grouped. */
    public static void inParallel(List<Runnable> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = thread; i < tasks.size(); i += THREADS) {
                        tasks.get(i).run();
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

    private void writeBatch(List<WriteRequest> batch) {
        Map<String, List<WriteRequest>> pending = Map.of(table, batch);
        while (!pending.isEmpty()) {
            Map<String, List<WriteRequest>> request = pending;
            BatchWriteItemResponse r = dynamo.batchWriteItem(b -> b.requestItems(request));
            pending = r.hasUnprocessedItems() ? r.unprocessedItems() : Map.of();
        }
        writes.addAndGet(batch.size());
    }
}
