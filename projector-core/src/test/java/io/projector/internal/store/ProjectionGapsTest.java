package io.projector.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.SequenceNumber;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which projections would skip changes if started where the application resumes. */
class ProjectionGapsTest {

    private static final List<String> AB = List.of("a", "b");

    @Test
    void aProjectionWithoutAWatermarkOnAShardTheApplicationHasReadIsAGap() {
        List<ProjectionGaps.Gap> gaps = ProjectionGaps.find(Map.of("s1", "120"), Map.of("s1", Map.of("a", seq(120))), AB, Set.of());
        assertThat(gaps).containsExactly(new ProjectionGaps.Gap("b", "s1", null, seq(120)));
    }

    @Test
    void aWatermarkBehindTheCheckpointIsAGapAndOneAtOrPastItIsNot() {
        Map<String, Map<String, SequenceNumber>> marks = Map.of("s1", Map.of("a", seq(120), "b", seq(95)), "s2", Map.of("a", seq(7), "b", seq(9)));
        List<ProjectionGaps.Gap> gaps = ProjectionGaps.find(Map.of("s1", "120", "s2", "9"), marks, AB, Set.of());
        assertThat(gaps).containsExactly(new ProjectionGaps.Gap("b", "s1", seq(95), seq(120)), new ProjectionGaps.Gap("a", "s2", seq(7), seq(9)));
    }

    @Test
    void sequenceNumbersCompareAsNumbersNotAsText() {
        // "99" > "100" as text; as numbers the watermark is past the checkpoint.
        assertThat(ProjectionGaps.find(Map.of("s1", "99"), Map.of("s1", Map.of("a", seq(100), "b", seq(100))), AB, Set.of())).isEmpty();
    }

    @Test
    void aShardNotReadYetHasNoGap() {
        for (String start : List.of("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")) {
            assertThat(ProjectionGaps.find(Map.of("s1", start), Map.of(), AB, Set.of())).as(start).isEmpty();
        }
    }

    @Test
    void anEndedShardIsAGapForAProjectionBehindTheOthers() {
        Map<String, Map<String, SequenceNumber>> marks = Map.of("s0", Map.of("a", seq(500)));
        assertThat(ProjectionGaps.find(Map.of("s0", "SHARD_END"), marks, AB, Set.of()))
                .containsExactly(new ProjectionGaps.Gap("b", "s0", null, seq(500)));
        // An ended shard none of them read: nothing to miss.
        assertThat(ProjectionGaps.find(Map.of("s0", "SHARD_END"), Map.of(), AB, Set.of())).isEmpty();
    }

    @Test
    void aProjectionWithABackfillUnderWayIsLetThrough() {
        assertThat(ProjectionGaps.find(Map.of("s1", "120"), Map.of("s1", Map.of("a", seq(120))), AB, Set.of("b"))).isEmpty();
    }

    @Test
    void theRefusalIsOneLineNamingTheProjectionTheShardAndTheWayOut() {
        String never = ProjectionGaps.message("app", List.of(new ProjectionGaps.Gap("b", "s1", null, seq(120)),
                new ProjectionGaps.Gap("b", "s2", null, seq(4))));
        assertThat(never).doesNotContain("\n").contains("'b'", "'app'", "s1", "120", "projector backfill --projections b",
                "projector rebuild --projections b", "1 more", "b@s2");
        String behind = ProjectionGaps.message("app", List.of(new ProjectionGaps.Gap("b", "s1", seq(95), seq(120))));
        assertThat(behind).doesNotContain("\n").contains("stopped at sequence 95", "after 120", "projector rebuild --projections b",
                "projector replay --projections b");
    }

    private static SequenceNumber seq(long n) {
        return SequenceNumber.of(n);
    }
}
