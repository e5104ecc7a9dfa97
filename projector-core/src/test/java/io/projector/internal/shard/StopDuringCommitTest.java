package io.projector.internal.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.Projection;
import io.projector.SequenceNumber;
import io.projector.Write;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.ShardStoppedException;
import io.projector.internal.plan.TransactionLimits;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * A stop interrupts a commit in flight, and the SDK turns the interrupt into an
 * {@code AbortedException}: the batch ends as stopped, to be redone by the next owner. Seen in the
 * long crash test before the fix: every SIGTERM during a commit logged "commit still failing after
 * 6 attempts ...; the shard waits and tries again", a failure that never happened, and counted it.
 */
class StopDuringCommitTest {

    private static final class Copy implements Projection {
        @Override
        public String name() {
            return "copy";
        }

        @Override
        public Set<String> entityTypes() {
            return Set.of("Thing");
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            return List.of(Write.put("COPY#" + event.keys().string("PK"), "COPY"));
        }
    }

    @Test
    void aCommitCutShortByTheStopEndsTheBatchAsStoppedWithoutReportingAFailure() {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger commits = new AtomicInteger();
        ShardTable table = new ShardTable() {
            @Override
            public Map<String, SequenceNumber> watermarks(String shardId, List<String> projections) {
                return Map.of();
            }

            @Override
            public Set<String> blockedItems(long maxAgeMillis, long nowMillis) {
                return Set.of();
            }

            @Override
            public boolean catchUp(String shardId, String projection, SequenceNumber to, long nowMillis) {
                return true;
            }

            @Override
            public ChunkCommitter.Outcome commit(String shardId, Chunk chunk) {
                commits.incrementAndGet();
                // What a SIGTERM does: the stop flag is set, then the thread in the SDK call is interrupted.
                stop.set(true);
                throw AbortedException.create("Thread was interrupted");
            }

            @Override
            public void parkUndecodable(String shardId, Record record, String reason, long nowMillis) {
                throw new AssertionError("nothing undecodable here");
            }
        };
        EngineCounters counters = new EngineCounters();
        Retry retry = Retry.of("stop", RetryConfig.custom().maxAttempts(1).build());
        ShardProjector projector = new ShardProjector("shardId-1", List.of("copy"),
                new ChunkPlanner(List.of(new Copy()), TransactionLimits.DYNAMODB), table, retry, CircuitBreaker.ofDefaults("stop"),
                counters, stop::get, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), HandOffSource.NONE, null);
        projector.initialize();

        Logger logger = (Logger) LoggerFactory.getLogger(ShardProjector.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            assertThatThrownBy(() -> projector.process(List.of(thing(1), thing(2)))).isInstanceOf(ShardStoppedException.class)
                    .hasMessageContaining("will be redone by the next owner");
        } finally {
            logger.detachAppender(logged);
        }
        assertThat(commits.get()).as("the interrupted commit is not tried again").isEqualTo(1);
        assertThat(counters.transientFailures.sum()).as("a stop is not a failure of the table").isZero();
        assertThat(logged.list).as("no warning of a failure that did not happen")
                .noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
    }

    private static ChangeEvent thing(long seq) {
        Map<String, AttributeValue> keys = Map.of("PK", AttributeValue.fromS("T" + seq), "SK", AttributeValue.fromS("A"));
        Map<String, AttributeValue> image = Map.of("PK", AttributeValue.fromS("T" + seq), "SK", AttributeValue.fromS("A"),
                "type", AttributeValue.fromS("Thing"));
        return new ChangeEvent(ChangeType.INSERT, Item.of(keys), Optional.empty(), Optional.of(Item.of(image)), "Thing",
                SequenceNumber.of(seq), Instant.EPOCH);
    }
}
