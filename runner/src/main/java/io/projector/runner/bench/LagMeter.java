package io.projector.runner.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Steady-state lag: writes planned changes at a fixed rate (four writer threads, change i due at
 * i / rate s) while the worker runs, and times every tenth (an order status change) from just
 * before its write until the read model's copy of the order shows the new status (a consistent
 * GetItem). The rest are new likes.
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
    private static final int WRITERS = 4;
    private static final Duration GIVE_UP = Duration.ofSeconds(10);

    private final DynamoDbClient dynamo;
    private final String readModel;
    private final BenchWorkload workload;

    LagMeter(DynamoDbClient dynamo, String readModel, BenchWorkload workload) {
        this.dynamo = dynamo;
        this.readModel = readModel;
        this.workload = workload;
    }

    Result run(int ratePerSecond, int seconds) throws Exception {
        List<BenchWorkload.LiveChange> plan = workload.planLive(ratePerSecond * seconds, PROBE_EVERY);
        ConcurrentLinkedQueue<Probe> pending = new ConcurrentLinkedQueue<>();
        List<Long> lags = new ArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger unresolved = new AtomicInteger();
        Thread checker = new Thread(() -> check(pending, lags, writing, unresolved), "bench-lag-checker");
        checker.start();
        long interval = 1_000_000_000L / ratePerSecond;
        long start = System.nanoTime();
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < WRITERS; t++) {
                int thread = t;
                done.add(writers.submit(() -> {
                    for (int i = thread; i < plan.size(); i += WRITERS) {
                        long due = start + i * interval;
                        while (System.nanoTime() < due) {
                            LockSupport.parkNanos(due - System.nanoTime());
                        }
                        BenchWorkload.LiveChange change = plan.get(i);
                        long before = System.nanoTime();
                        workload.write(change);
                        if (change.isProbe()) {
                            BenchWorkload.Order order = change.probe();
                            pending.add(new Probe(Map.of(
                                    "PK", AttributeValue.fromS("CUSTOMER#" + order.customerId()),
                                    "SK", AttributeValue.fromS("ORDER#" + order.date() + "#" + order.id())), change.status(), before));
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            writers.shutdown();
            writing.set(false);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        checker.join();
        synchronized (lags) {
            return new Result(List.copyOf(lags), unresolved.get(), plan.size(), elapsed);
        }
    }

    private void check(ConcurrentLinkedQueue<Probe> pending, List<Long> lags, AtomicBoolean writing, AtomicInteger unresolved) {
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
                    unresolved.incrementAndGet();
                    pending.remove(probe);
                }
            }
            // Between sweeps: a short pause so the checker does not take a core from the worker.
            LockSupport.parkNanos(1_000_000);
        }
    }
}
