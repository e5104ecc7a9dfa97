package io.projector.runner.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Nearest-rank percentiles of measured durations (the smallest value with at least p % of the values at or below it). */
record Percentiles(List<Long> sorted) {

    Percentiles {
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("no values to take percentiles of");
        }
        List<Long> copy = new ArrayList<>(sorted);
        Collections.sort(copy);
        sorted = List.copyOf(copy);
    }

    static Percentiles of(List<Long> values) {
        return new Percentiles(values);
    }

    long p(double percent) {
        if (percent <= 0 || percent > 100) {
            throw new IllegalArgumentException("a percentile is in (0, 100], not " + percent);
        }
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(1, rank) - 1);
    }

    long max() {
        return sorted.get(sorted.size() - 1);
    }

    int count() {
        return sorted.size();
    }
}
