package io.projector.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.FailurePolicy;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.ProjectionFailedException;
import io.projector.SequenceNumber;
import io.projector.Write;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Whatever a projection throws blames its change, not the batch: a checked exception thrown
 * sneakily, an {@code Error}, a missing class, a stack overflow are parked (or halt under HALT)
 * while the good changes of the same plan are kept. Out of memory and interrupts are not a
 * change's fault and pass through.
 */
class ProjectionThrowablesTest {

    private static final SequenceNumber BAD = SequenceNumber.of(2);

    /** Copies every Thing to COPY#id, except that change 2 fails with what the supplier throws. */
    private static final class Failing implements Projection {
        private final Supplier<Throwable> failure;
        private final FailurePolicy policy;
        final AtomicInteger calls = new AtomicInteger();

        Failing(Supplier<Throwable> failure, FailurePolicy policy) {
            this.failure = failure;
            this.policy = policy;
        }

        @Override
        public String name() {
            return "copy";
        }

        @Override
        public Set<String> entityTypes() {
            return Set.of("Thing");
        }

        @Override
        public FailurePolicy failurePolicy() {
            return policy;
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            calls.incrementAndGet();
            if (event.sequenceNumber().equals(BAD)) {
                throw ProjectionThrowablesTest.<RuntimeException>sneaky(failure.get());
            }
            return List.of(Write.put("COPY#" + event.keys().string("PK"), "COPY"));
        }
    }

    /** What Lombok's @SneakyThrows and Kotlin do: a checked exception leaves a method that does not declare it. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    private static List<ChangeEvent> threeThings() {
        return List.of(thing(1), thing(2), thing(3));
    }

    private static ChangeEvent thing(long seq) {
        Map<String, AttributeValue> keys = Map.of("PK", AttributeValue.fromS("T" + seq), "SK", AttributeValue.fromS("A"));
        Map<String, AttributeValue> image = Map.of("PK", AttributeValue.fromS("T" + seq), "SK", AttributeValue.fromS("A"),
                "type", AttributeValue.fromS("Thing"));
        return new ChangeEvent(ChangeType.INSERT, Item.of(keys), Optional.empty(), Optional.of(Item.of(image)), "Thing",
                SequenceNumber.of(seq), Instant.EPOCH);
    }

    private static List<Chunk> plan(Failing projection) {
        return new ChunkPlanner(List.of(projection), TransactionLimits.DYNAMODB).plan(threeThings(), Map.of());
    }

    private static void assertParkedWithTheGoodChangesKept(Supplier<Throwable> failure, String errorType, String... reasonParts) {
        Failing projection = new Failing(failure, FailurePolicy.DEAD_LETTER);
        List<Chunk> chunks = plan(projection);

        assertThat(chunks).hasSize(1);
        Chunk chunk = chunks.get(0);
        assertThat(chunk.mutations()).as("the good changes of the same batch").containsOnlyKeys(
                ItemKey.of("COPY#T1", "COPY"), ItemKey.of("COPY#T3", "COPY"));
        assertThat(chunk.parked()).hasSize(1);
        ParkedChange parked = chunk.parked().get(0);
        assertThat(parked.event().sequenceNumber()).isEqualTo(BAD);
        assertThat(parked.errorType()).isEqualTo(errorType);
        assertThat(parked.reason()).contains(reasonParts);
        assertThat(chunk.watermarks().get("copy").to()).as("the watermark moves past the parked change with it")
                .isEqualTo(SequenceNumber.of(3));
        assertThat(projection.calls.get()).as("the failing change is tried %d times", ChunkPlanner.PROJECTION_ATTEMPTS)
                .isEqualTo(2 + ChunkPlanner.PROJECTION_ATTEMPTS);
    }

    @Test
    void aSneakilyThrownCheckedExceptionParksTheChange() {
        assertParkedWithTheGoodChangesKept(() -> new IOException("disk of the projection's cache is full"),
                "IOException", "IOException: disk of the projection's cache is full");
    }

    @Test
    void anErrorParksTheChange() {
        assertParkedWithTheGoodChangesKept(() -> new AssertionError("total must not be negative"),
                "AssertionError", "AssertionError: total must not be negative");
    }

    @Test
    void aClassMissingFromThePluginJarParksTheChangeWithWhatToDo() {
        assertParkedWithTheGoodChangesKept(() -> new NoClassDefFoundError("com/acme/money/Money"),
                "NoClassDefFoundError", "NoClassDefFoundError: com/acme/money/Money", "add it to the plugin jar");
    }

    @Test
    void aRealStackOverflowParksTheChange() {
        assertParkedWithTheGoodChangesKept(() -> {
            try {
                recurse(0);
                return null;
            } catch (StackOverflowError e) {
                return e;
            }
        }, "StackOverflowError", "StackOverflowError", "recursed too deep");
    }

    @Test
    void underTheHaltPolicyAnErrorStopsThePlanNamingTheChange() {
        Failing projection = new Failing(() -> new NoClassDefFoundError("com/acme/money/Money"), FailurePolicy.HALT);
        assertThatThrownBy(() -> plan(projection))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("'copy'")
                .hasMessageContaining("sequence number 2")
                .hasMessageContaining("NoClassDefFoundError: com/acme/money/Money")
                .hasMessageContaining("(policy: halt)")
                .hasCauseInstanceOf(NoClassDefFoundError.class);
    }

    @Test
    void outOfMemoryIsNotBlamedOnTheChangeAndEndsThePlanAtOnce() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        Failing projection = new Failing(() -> oom, FailurePolicy.DEAD_LETTER);
        assertThatThrownBy(() -> plan(projection)).isSameAs(oom);
        assertThat(projection.calls.get()).as("not retried, nothing planned after it").isEqualTo(2);
    }

    @Test
    void anInterruptMeansTheShardIsGivenUpNotThatTheChangeIsBad() {
        Failing projection = new Failing(() -> new InterruptedException("sleep interrupted"), FailurePolicy.DEAD_LETTER);
        try {
            assertThatThrownBy(() -> plan(projection)).isInstanceOf(ShardStoppedException.class)
                    .hasMessageContaining("interrupted inside projection 'copy'");
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
