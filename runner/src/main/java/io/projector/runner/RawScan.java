package io.projector.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/** A plain parallel, consistent Scan that only counts: the ceiling a backfill's rate is compared with. */
public final class RawScan {

    public record Result(long items, double seconds) {
        public double itemsPerSecond() {
            return seconds > 0 ? items / seconds : 0;
        }
    }

    private RawScan() {
    }

    public static Result run(DynamoDbClient dynamo, String table, int segments, int pageSize) throws Exception {
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(segments);
        try {
            List<Future<Long>> counts = new ArrayList<>();
            for (int i = 0; i < segments; i++) {
                int segment = i;
                counts.add(pool.submit(() -> {
                    long n = 0;
                    Map<String, AttributeValue> from = null;
                    do {
                        Map<String, AttributeValue> key = from;
                        ScanResponse r = dynamo.scan(b -> b.tableName(table).segment(segment).totalSegments(segments)
                                .consistentRead(true).limit(pageSize).exclusiveStartKey(key));
                        n += r.count();
                        from = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
                    } while (from != null);
                    return n;
                }));
            }
            long total = 0;
            for (Future<Long> f : counts) {
                total += f.get();
            }
            return new Result(total, (System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }
}
