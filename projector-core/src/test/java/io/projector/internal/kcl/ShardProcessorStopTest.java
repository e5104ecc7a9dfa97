package io.projector.internal.kcl;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.internal.plan.ChangeEventDecoder;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.processor.RecordProcessorCheckpointer;

/**
 * A shard handed to a stopping worker — a child shard whose parent just ended — is neither loaded
 * (the stop would refuse every read, and the KCL would retry initialize until the end) nor
 * checkpointed at its end: batches after the stop were not processed, and a shard-end checkpoint
 * would skip them for good.
 */
class ShardProcessorStopTest {

    @Test
    void aShardTakenWhileStoppingIsNotLoadedAndItsEndIsNotCheckpointed() {
        ShardRegistry registry = new ShardRegistry();
        List<String> created = new ArrayList<>();
        ShardProcessor processor = new ShardProcessor((shardId, stop) -> {
            created.add(shardId);
            throw new AssertionError("a stopping worker must not load a shard");
        }, new ChangeEventDecoder("type"), Duration.ZERO, Clock.systemUTC(), registry, e -> {
            throw new AssertionError("not fatal", e);
        });
        List<String> checkpoints = new ArrayList<>();
        RecordProcessorCheckpointer checkpointer = (RecordProcessorCheckpointer) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {RecordProcessorCheckpointer.class}, (proxy, method, args) -> {
                    checkpoints.add(method.getName());
                    return null;
                });

        registry.requestStop();
        processor.initialize(InitializationInput.builder().shardId("shardId-child").build());
        processor.shardEnded(ShardEndedInput.builder().checkpointer(checkpointer).build());

        assertThat(created).isEmpty();
        assertThat(checkpoints).isEmpty();
        assertThat(registry.activeShards()).isZero();
    }
}
