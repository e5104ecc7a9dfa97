package io.projector.ops;

import java.util.List;

/**
 * The outcome of a read-model verification.
 *
 * @param expectedItems items the recomputation produced
 * @param actualItems   items found in the read-model table
 * @param differences   one line per item that is missing, unexpected or different
 */
public record VerificationResult(int expectedItems, int actualItems, List<String> differences) {

    public VerificationResult {
        differences = List.copyOf(differences);
    }

    public boolean matches() {
        return differences.isEmpty();
    }

    /** A short report: the verdict and at most {@code limit} differences. */
    public String summary(int limit) {
        if (matches()) {
            return "read model matches the recomputation from the source table (" + actualItems + " items)";
        }
        StringBuilder b = new StringBuilder("read model DIFFERS from the recomputation: " + differences.size()
                + " differences (expected " + expectedItems + " items, found " + actualItems + ")");
        differences.stream().limit(limit).forEach(d -> b.append("\n  ").append(d));
        if (differences.size() > limit) {
            b.append("\n  ...");
        }
        return b.toString();
    }
}
