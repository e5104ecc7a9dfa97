package io.projector.bench;

import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.internal.plan.ChangeEventDecoder;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.TransactionLimits;
import io.projector.projections.OrderCountersProjection;
import io.projector.projections.OrderHistoryProjection;
import io.projector.projections.PostLikesProjection;
import io.projector.projections.ShardedOrderCountProjection;
import io.projector.projections.UserLikesProjection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's in-memory work on one GetRecords batch of 1,000 records, no I/O: decode each
 * stream record, route it to the built-in projections, project, and plan (coalesce and cut into
 * transactions). Tells how much of the drain rate the worker's own CPU can carry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmark {

    private List<software.amazon.awssdk.services.dynamodb.model.Record> batch;
    private List<ChangeEvent> decoded;
    private ChangeEventDecoder decoder;
    private ChunkPlanner planner;

    @Setup
    public void setUp() {
        batch = StreamBatches.of(1000, 42L);
        decoder = new ChangeEventDecoder("type");
        List<Projection> projections = List.of(new OrderHistoryProjection(), new OrderCountersProjection(), new PostLikesProjection(),
                new UserLikesProjection(), new ShardedOrderCountProjection());
        planner = new ChunkPlanner(projections, TransactionLimits.DYNAMODB);
        decoded = decodeAll();
    }

    /** Decode, route, project and plan the whole batch: the engine's CPU cost of 1,000 records. */
    @Benchmark
    public List<Chunk> decodeRouteAndPlan() {
        return planner.plan(decodeAll(), Map.of());
    }

    /** Decoding alone. */
    @Benchmark
    public List<ChangeEvent> decode() {
        return decodeAll();
    }

    /** Routing, projecting and planning of already decoded events. */
    @Benchmark
    public List<Chunk> routeAndPlan() {
        return planner.plan(decoded, Map.of());
    }

    private List<ChangeEvent> decodeAll() {
        List<ChangeEvent> events = new ArrayList<>(batch.size());
        for (software.amazon.awssdk.services.dynamodb.model.Record r : batch) {
            events.add(decoder.decode(r));
        }
        return events;
    }
}
