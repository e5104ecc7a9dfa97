package io.projector.internal.commit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** A shard's pause after conflicts: bounded, growing with conflicts in a row, back to small after a commit. */
class ConflictBackoffTest {

    @Property(tries = 200)
    void pausesStayUnderADoublingCeilingCappedAtOneSecond(@ForAll @LongRange(min = 0, max = 1000) long seed,
                                                            @ForAll @IntRange(min = 1, max = 40) int conflicts) {
        ConflictBackoff backoff = new ConflictBackoff(new SplittableRandom(seed));
        for (int n = 0; n < conflicts; n++) {
            long ceiling = Math.min(ConflictBackoff.MAX_MILLIS, ConflictBackoff.BASE_MILLIS << Math.min(n, 20));
            assertThat(backoff.nextDelayMillis()).isBetween(0L, ceiling);
        }
        assertThat(backoff.inARow()).isEqualTo(conflicts);
        backoff.reset();
        assertThat(backoff.inARow()).isZero();
        assertThat(backoff.nextDelayMillis()).isBetween(0L, ConflictBackoff.BASE_MILLIS);
    }

    @Property(tries = 20)
    void twoShardsThatCollidedDrawDifferentPauses(@ForAll @LongRange(min = 0, max = 1000) long seed) {
        ConflictBackoff a = new ConflictBackoff(new SplittableRandom(seed));
        ConflictBackoff b = new ConflictBackoff(new SplittableRandom(seed + 1));
        int same = 0;
        for (int n = 0; n < 8; n++) {
            same += a.nextDelayMillis() == b.nextDelayMillis() ? 1 : 0;
        }
        // Jitter: with ceilings of 10..1000 ms, the pauses of two shards almost never agree all the way.
        assertThat(same).isLessThan(8);
    }
}
