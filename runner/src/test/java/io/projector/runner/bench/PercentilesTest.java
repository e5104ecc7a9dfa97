package io.projector.runner.bench;

import io.projector.runner.Main;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void nearestRankOfUnsortedValues() {
        List<Long> values = new ArrayList<>();
        for (long v = 100; v >= 1; v--) {
            values.add(v);
        }
        Percentiles p = Percentiles.of(values);
        assertThat(p.p(50)).isEqualTo(50);
        assertThat(p.p(99)).isEqualTo(99);
        assertThat(p.p(100)).isEqualTo(100);
        assertThat(p.max()).isEqualTo(100);
        assertThat(p.count()).isEqualTo(100);
    }

    @Test
    void smallSamplesRoundTheRankUp() {
        Percentiles p = Percentiles.of(List.of(30L, 10L, 20L));
        assertThat(p.p(50)).isEqualTo(20);
        assertThat(p.p(99)).isEqualTo(30);
        assertThat(p.p(1)).isEqualTo(10);
        assertThat(Percentiles.of(List.of(7L)).p(99)).isEqualTo(7);
    }

    @Test
    void refusesNothingAndOutOfRangePercentiles() {
        assertThatThrownBy(() -> Percentiles.of(List.of())).hasMessage("no values to take percentiles of");
        assertThatThrownBy(() -> Percentiles.of(List.of(1L)).p(0)).hasMessageContaining("(0, 100]");
        assertThatThrownBy(() -> Percentiles.of(List.of(1L)).p(101)).hasMessageContaining("(0, 100]");
    }
}
