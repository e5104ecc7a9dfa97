package io.projector.ops;

import java.time.Duration;

/**
 * How a backfill scans the source table.
 *
 * @param segments           parallel Scan segments (threads); a resumed backfill keeps the count it started with
 * @param readUnitsPerSecond the Scan's budget of read units per second (consistent reads: one unit per 4 KB)
 * @param pageSize           items per Scan page (one progress save per page and segment)
 * @param versionAttribute   the source attribute that grows with every write of an item (see the README's hand-off rule)
 * @param joinTimeout        how long to wait for the workers running the projections to join the hand-off
 * @param purpose            "backfill", or "rebuild" when a rebuild drives it (shown by {@code projector status})
 */
public record BackfillConfig(int segments, int readUnitsPerSecond, int pageSize, String versionAttribute, Duration joinTimeout,
                             String purpose) {

    public BackfillConfig {
        if (segments < 1 || segments > 1000) {
            throw new IllegalArgumentException("backfill segments must be between 1 and 1000, was " + segments);
        }
        if (readUnitsPerSecond < 1) {
            throw new IllegalArgumentException("backfill read units per second must be at least 1, was " + readUnitsPerSecond);
        }
        if (pageSize < 1 || pageSize > 10_000) {
            throw new IllegalArgumentException("backfill page size must be between 1 and 10000, was " + pageSize);
        }
        if (versionAttribute == null || versionAttribute.isBlank()) {
            throw new IllegalArgumentException("version attribute must not be empty (default: version)");
        }
        if (joinTimeout == null || joinTimeout.isNegative()) {
            throw new IllegalArgumentException("join timeout must be zero or more");
        }
        if (!"backfill".equals(purpose) && !"rebuild".equals(purpose)) {
            throw new IllegalArgumentException("purpose must be backfill or rebuild, was " + purpose);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: 4 segments, 1,000 read units per second, pages of 500, attribute {@code version}, 10 minutes to join. */
    public static final class Builder {
        private int segments = 4;
        private int readUnitsPerSecond = 1_000;
        private int pageSize = 500;
        private String versionAttribute = "version";
        private Duration joinTimeout = Duration.ofMinutes(10);
        private String purpose = "backfill";

        public Builder segments(int v) { segments = v; return this; }
        public Builder readUnitsPerSecond(int v) { readUnitsPerSecond = v; return this; }
        public Builder pageSize(int v) { pageSize = v; return this; }
        public Builder versionAttribute(String v) { versionAttribute = v; return this; }
        public Builder joinTimeout(Duration v) { joinTimeout = v; return this; }
        public Builder purpose(String v) { purpose = v; return this; }

        public BackfillConfig build() {
            return new BackfillConfig(segments, readUnitsPerSecond, pageSize, versionAttribute, joinTimeout, purpose);
        }
    }
}
