package io.projector.runner;

import io.projector.internal.plan.EngineKeys;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * Watches, read-only and a few times a second, what a crash test needs to know about a KCL 3
 * application: which worker holds each open shard lease (lease table {@code <app>}, attribute
 * {@code leaseOwner}), which worker is the leader (table {@code <app>-CoordinatorState}, item
 * {@code key = "Leader"}, attribute {@code ownerName}), and whether the projections' watermarks in
 * the read model move. It records every change of a lease's owner and which workers committed
 * something while they held the lease.
 */
final class LeaseObserver implements AutoCloseable {

    /** A lease whose owner changed from one worker to another, seen at {@code atNanos}. */
    record Move(String lease, String from, String to, long atNanos) {
    }

    private final DynamoDbClient dynamo;
    private final String application;
    private final String readModelTable;
    private final List<String> projections;
    private final Consumer<String> events;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lease-observer");
        t.setDaemon(true);
        return t;
    });

    private volatile Map<String, String> owners = Map.of();
    private volatile String leader;
    private final List<Move> moves = new CopyOnWriteArrayList<>();
    private final Set<String> committedWhileHolding = ConcurrentHashMap.newKeySet();
    private final AtomicLong watermarkChanges = new AtomicLong();
    private final AtomicLong lastWatermarkChangeNanos = new AtomicLong();
    private volatile String highestWatermark = "-";
    private final AtomicLong failedPolls = new AtomicLong();

    // Only the timer thread touches these.
    private final Map<String, String> lastOwner = new HashMap<>();
    private Map<String, String> lastWatermarks = Map.of();
    private String lastHolder;
    private String lastLeader;

    LeaseObserver(DynamoDbClient dynamo, String application, String readModelTable, List<String> projections, Consumer<String> events) {
        this.dynamo = dynamo;
        this.application = application;
        this.readModelTable = readModelTable;
        this.projections = List.copyOf(projections);
        this.events = events;
    }

    LeaseObserver start() {
        timer.scheduleWithFixedDelay(this::poll, 0, 200, TimeUnit.MILLISECONDS);
        return this;
    }

    /** The owner of the open shard lease (the newest if there are several), or null if none is owned. */
    String holder() {
        Map<String, String> current = owners;
        String owner = null;
        for (String o : current.values()) {
            owner = o.isEmpty() ? null : o;
        }
        return owner;
    }

    /** The worker holding the leader lock, or null while nobody does (or before the table exists). */
    String leader() {
        return leader;
    }

    List<Move> moves() {
        return List.copyOf(moves);
    }

    boolean committedWhileHolding(String workerId) {
        return committedWhileHolding.contains(workerId);
    }

    long watermarkChanges() {
        return watermarkChanges.get();
    }

    /** Whether a watermark moved within the last {@code millis}: a worker is committing right now. */
    boolean committingWithin(long millis) {
        long last = lastWatermarkChangeNanos.get();
        return last != 0 && System.nanoTime() - last < millis * 1_000_000L;
    }

    /** The highest committed sequence number among the watermarks, without its zero padding. */
    String highestWatermark() {
        return highestWatermark;
    }

    long failedPolls() {
        return failedPolls.get();
    }

    private void poll() {
        try {
            Map<String, String> open = new TreeMap<>();
            Set<String> shards = new HashSet<>();
            dynamo.scanPaginator(b -> b.tableName(application).consistentRead(true)).items().forEach(item -> {
                shards.add(string(item, "leaseKey"));
                String checkpoint = string(item, "checkpoint");
                if (!"SHARD_END".equals(checkpoint)) {
                    String owner = string(item, "leaseOwner");
                    open.put(string(item, "leaseKey"), owner == null ? "" : owner);
                }
            });
            owners = Map.copyOf(open);
            open.forEach((lease, owner) -> {
                if (owner.isEmpty()) {
                    return;
                }
                String previous = lastOwner.put(lease, owner);
                if (previous != null && !previous.equals(owner)) {
                    moves.add(new Move(lease, previous, owner, System.nanoTime()));
                    events.accept("lease " + lease + " moved " + previous + " -> " + owner);
                }
            });
            leader = readLeader();
            if (leader != null && !leader.equals(lastLeader)) {
                events.accept("leader is " + leader);
                lastLeader = leader;
            }
            Map<String, String> watermarks = readWatermarks(shards);
            String holder = holder();
            if (!watermarks.equals(lastWatermarks)) {
                watermarkChanges.incrementAndGet();
                lastWatermarkChangeNanos.set(System.nanoTime());
                watermarks.values().stream().filter(v -> v != null).max(String::compareTo)
                        .ifPresent(v -> highestWatermark = v.replaceFirst("^0+(?=.)", ""));
                if (holder != null && holder.equals(lastHolder)) {
                    committedWhileHolding.add(holder);
                }
            }
            lastWatermarks = watermarks;
            lastHolder = holder;
        } catch (ResourceNotFoundException e) {
            // the lease table or the read model is not there yet
        } catch (RuntimeException e) {
            failedPolls.incrementAndGet();
        }
    }

    private String readLeader() {
        try {
            GetItemResponse r = dynamo.getItem(b -> b.tableName(application + "-CoordinatorState").consistentRead(true)
                    .key(Map.of("key", AttributeValue.fromS("Leader"))));
            return r.hasItem() ? string(r.item(), "ownerName") : null;
        } catch (ResourceNotFoundException e) {
            return null;
        }
    }

    /** The watermarks of this application's shards: other applications may project into the same read model. */
    private Map<String, String> readWatermarks(Set<String> shards) {
        Map<String, String> out = new TreeMap<>();
        for (String projection : projections) {
            dynamo.queryPaginator(b -> b.tableName(readModelTable).consistentRead(true).keyConditionExpression("PK = :pk")
                            .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(EngineKeys.of(application).watermarkPartition(projection)))))
                    .items().stream().filter(item -> shards.contains(string(item, "SK").substring("SHARD#".length())))
                    .forEach(item -> out.put(projection + "|" + string(item, "SK"), string(item, "seq")));
        }
        return out;
    }

    private static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
