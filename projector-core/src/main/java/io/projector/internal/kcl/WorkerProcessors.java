package io.projector.internal.kcl;

import io.projector.internal.plan.ChangeEventDecoder;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Makes a {@link ShardProcessor} for every shard lease the KCL gives this worker. */
public final class WorkerProcessors implements Supplier<ShardProcessor> {

    private final ShardProcessor.ProjectorFactory factory;
    private final ChangeEventDecoder decoder;
    private final Duration checkpointInterval;
    private final Clock clock;
    private final ShardRegistry registry;
    private final Consumer<Throwable> fatalHandler;

    /** @param fatalHandler told of a fatal VM error on a shard (out of memory); {@link io.projector.internal.plan.FatalErrors#haltProcess} in a worker */
    public WorkerProcessors(ShardProcessor.ProjectorFactory factory, ChangeEventDecoder decoder, Duration checkpointInterval,
                            Clock clock, ShardRegistry registry, Consumer<Throwable> fatalHandler) {
        this.fatalHandler = fatalHandler;
        this.factory = factory;
        this.decoder = decoder;
        this.checkpointInterval = checkpointInterval;
        this.clock = clock;
        this.registry = registry;
    }

    @Override
    public ShardProcessor get() {
        return new ShardProcessor(factory, decoder, checkpointInterval, clock, registry, fatalHandler);
    }
}
