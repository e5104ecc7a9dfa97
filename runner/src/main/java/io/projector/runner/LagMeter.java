package io.projector.runner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Steady-state lag: writes changes at a fixed rate while the worker runs, and times every tenth
 * (an order status change) from just before its write until the read model's copy of the order
 * shows the new status (a consistent GetItem). The rest are new likes. Changes one order at a
 * time per probe, so a probe's status is unambiguous.
 */
final class LagMeter {

    /** Lags of the probes that showed up, how many never did within 10 s, and the rate achieved. */
    record Result(List<Long> lagsMillis, int unresolved, long changes, double seconds) {
        double rate() {
            return changes / seconds;
        }
    }

    private record Probe(Map<String, AttributeValue> key, String status, long writtenNanos) {
    }

    private static final int PROBE_EVERY = 10;
    private static final Duration GIVE_UP = Duration.ofSeconds(10);

    private final DynamoDbClient dynamo;
    private final String readModel;
    private final BenchWorkload workload;

    LagMeter(DynamoDbClient dynamo, String readModel, BenchWorkload workload) {
        this.dynamo = dynamo;
        this.readModel = readModel;
        this.workload = workload;
    }

    Result run(int ratePerSecond, int seconds) throws InterruptedException {
        ConcurrentLinkedQueue<Probe> pending = new ConcurrentLinkedQueue<>();
        List<Long> lags = new ArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        int[] unresolved = {0};
        Thread checker = new Thread(() -> check(pending, lags, writing, unresolved), "bench-lag-checker");
        checker.start();
        long total = (long) ratePerSecond * seconds;
        long interval = 1_000_000_000L / ratePerSecond;
        long start = System.nanoTime();
        int nextOrder = 1;
        long written = 0;
        try {
            for (long i = 0; i < total; i++) {
                long due = start + i * interval;
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(due - System.nanoTime());
                }
                if (i % PROBE_EVERY == 0) {
                    List<BenchWorkload.Order> orders = workload.orders();
                    BenchWorkload.Order order = orders.get(nextOrder++ % orders.size());
                    String status = "SHIPPED".equals(order.status()) ? "DELIVERED" : "SHIPPED";
                    Map<String, AttributeValue> key = Map.of(
                            "PK", AttributeValue.fromS("CUSTOMER#" + order.customerId()),
                            "SK", AttributeValue.fromS("ORDER#" + order.date() + "#" + order.id()));
                    long before = System.nanoTime();
                    workload.setStatus(order, status);
                    pending.add(new Probe(key, status, before));
                } else {
                    workload.likeNow();
                }
                written++;
            }
        } finally {
            writing.set(false);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        checker.join();
        synchronized (lags) {
            return new Result(List.copyOf(lags), unresolved[0], written, elapsed);
        }
    }

    private void check(ConcurrentLinkedQueue<Probe> pending, List<Long> lags, AtomicBoolean writing, int[] unresolved) {
        while (writing.get() || !pending.isEmpty()) {
            for (Probe probe : pending) {
                Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(readModel).key(probe.key()).consistentRead(true)).item();
                long now = System.nanoTime();
                AttributeValue status = item == null ? null : item.get("status");
                if (status != null && probe.status().equals(status.s())) {
                    synchronized (lags) {
                        lags.add((now - probe.writtenNanos()) / 1_000_000);
                    }
                    pending.remove(probe);
                } else if (now - probe.writtenNanos() > GIVE_UP.toNanos()) {
                    unresolved[0]++;
                    pending.remove(probe);
                }
            }
            // Between sweeps: a short pause so the checker does not starve the worker of a core.
            LockSupport.parkNanos(1_000_000);
        }
    }
}
