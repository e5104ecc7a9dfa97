package io.projector.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ops.ReadModelStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StatusRetentionTest {

    private static final long HOUR = 3_600_000;

    @Test
    void aHaltedShardHas24HoursFromItsOldestUnappliedChange() {
        long now = 100 * HOUR;
        assertThat(ReadModelStatus.untilTrimmed(now - 5 * HOUR, now - HOUR, now)).isEqualTo(Duration.ofHours(19));
        assertThat(StatusCommand.retention(Duration.ofHours(19)))
                .isEqualTo("the stream trims its oldest unapplied change in 19.0 h (24 h retention): fix the cause and restart "
                        + "before then, or those changes are lost");
    }

    @Test
    void withoutTheChangesTimeTheHaltsTimeGivesAnUpperBound() {
        long now = 100 * HOUR;
        assertThat(ReadModelStatus.untilTrimmed(0, now - 2 * HOUR, now)).isEqualTo(Duration.ofHours(22));
    }

    @Test
    void pastTheRetentionTheStatusSaysTheChangesAreLostAndWhatToDo() {
        long now = 100 * HOUR;
        Duration left = ReadModelStatus.untilTrimmed(now - 30 * HOUR, now - 29 * HOUR, now);
        assertThat(left).isEqualTo(Duration.ofHours(-6));
        assertThat(StatusCommand.retention(left)).contains("written 30.0 h ago").contains("they are lost").contains("projector rebuild")
                .doesNotContain("\n");
    }
}
