package io.projector.internal.plan;

import io.projector.ItemKey;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The partition keys of the engine's own items in a read-model table, every store's in one place.
 * All of an application's start with {@code PROJECTOR#<application>#}, so that a
 * {@code dynamodb:LeadingKeys} policy of {@code PROJECTOR#<application>#*} grants one application
 * exactly its own engine items and none of another's sharing the table:
 *
 * <pre>
 * watermark        PROJECTOR#&lt;app&gt;#WATERMARK#&lt;projection&gt;         SHARD#&lt;shardId&gt;
 * dead letter      PROJECTOR#&lt;app&gt;#DLQ                            &lt;projection&gt;#&lt;shardId&gt;#&lt;seq, zero-padded&gt;
 * backfill         PROJECTOR#&lt;app&gt;#BACKFILL#&lt;projection&gt;          STATE, JOINED#&lt;shardId&gt;, REFUSED#&lt;shardId&gt;
 * backfill run     PROJECTOR#&lt;app&gt;#BACKFILL#RUN#&lt;p1+p2…&gt;          SEGMENT#&lt;n&gt;
 * hand-off marker  PROJECTOR#&lt;app&gt;#APPLIED#&lt;projection&gt;#&lt;2 hex&gt;    SHA-256 of the source key
 * shard report     PROJECTOR#&lt;app&gt;#SHARD                          &lt;worker's application&gt;#&lt;shardId&gt;
 * </pre>
 *
 * The worker's application is the KCL one, except a replay's, which keeps the live application's
 * items (see {@code ProjectorConfig.engineApplication}). Before the application was part of the key
 * the same shapes started with {@code PROJECTOR#} alone ({@link #beforeApplications()}): what
 * {@code projector migrate-keys} moves.
 */
public final class EngineKeys {

    /** Partition keys of the engine; projections may not write under it. */
    public static final String RESERVED_PREFIX = "PROJECTOR#";

    static final String WATERMARK = "WATERMARK#";
    static final String DLQ = "DLQ";
    static final String BACKFILL = "BACKFILL#";
    static final String APPLIED = "APPLIED#";
    static final String SHARD = "SHARD";
    public static final String SHARD_SORT_PREFIX = "SHARD#";
    /** Sort keys of a projection's backfill partition: its registration, and a shard's join or refusal. */
    public static final String BACKFILL_STATE = "STATE";
    public static final String BACKFILL_JOINED_PREFIX = "JOINED#";
    public static final String BACKFILL_REFUSED_PREFIX = "REFUSED#";

    /** Application names that would make the application's prefix read as an older key shape. */
    private static final Set<String> KINDS = Set.of("WATERMARK", "DLQ", "BACKFILL", "APPLIED", "SHARD");

    private final String application;
    private final String prefix;

    private EngineKeys(String application, String prefix) {
        this.application = application;
        this.prefix = prefix;
    }

    /** The keys of one application's engine items. */
    public static EngineKeys of(String application) {
        requireApplication(application, "application name");
        return new EngineKeys(application, RESERVED_PREFIX + application + "#");
    }

    /** The shapes before the application was part of the key, shared by every application of a table. */
    public static EngineKeys beforeApplications() {
        return new EngineKeys(null, RESERVED_PREFIX);
    }

    /**
     * Refuses a name that cannot stand between two {@code #} of a key and be granted by a
     * {@code StringLike} pattern: only letters, digits and {@code _ . -} (it also names the lease
     * table), not one of the engine's item kinds.
     *
     * @param setting how the caller names the setting in the one-line error (e.g. {@code --application-name})
     */
    public static void requireApplication(String name, String setting) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(setting + " is required");
        }
        if (!name.matches("[A-Za-z0-9_.-]{3,255}")) {
            throw new IllegalArgumentException(setting + " '" + name + "' may only hold 3 to 255 of a-z A-Z 0-9 _ . - "
                    + "(it names the lease table and the engine's keys PROJECTOR#<application>#…)");
        }
        if (KINDS.contains(name)) {
            throw new IllegalArgumentException(setting + " '" + name + "' is reserved (an engine item kind: " + new TreeSet<>(KINDS)
                    + "): choose another application name");
        }
    }

    /** The application, or null for the older shapes. */
    public String application() {
        return application;
    }

    /** What every engine item of this application's partition key starts with. */
    public String prefix() {
        return prefix;
    }

    public String watermarkPartition(String projection) {
        return prefix + WATERMARK + projection;
    }

    public ItemKey watermark(String projection, String shardId) {
        return ItemKey.of(watermarkPartition(projection), SHARD_SORT_PREFIX + shardId);
    }

    public String deadLetterPartition() {
        return prefix + DLQ;
    }

    public ItemKey deadLetter(String sortKey) {
        return ItemKey.of(deadLetterPartition(), sortKey);
    }

    /**
     * A dead letter's sort key: {@code <projection>#<shardId>#<id>}, where the id is the sequence
     * number zero-padded, and the projection {@code *} for a record no projection saw.
     */
    public static String deadLetterSortKey(String projection, String shardId, String id) {
        return projection + "#" + shardId + "#" + id;
    }

    /** What the sort keys of one projection's dead letters start with. */
    public static String deadLetterSortPrefix(String projection) {
        return projection + "#";
    }

    public String backfillPartition(String projection) {
        return prefix + BACKFILL + projection;
    }

    public String backfillRunPartition(List<String> projections) {
        return prefix + BACKFILL + "RUN#" + String.join("+", new TreeSet<>(projections));
    }

    /** A backfill run's progress on one scan segment. */
    public static String backfillSegmentSortKey(int segment) {
        return String.format("SEGMENT#%05d", segment);
    }

    /** One of the 256 partitions of a projection's hand-off markers. */
    public String appliedPartition(String projection, String twoHexDigits) {
        return prefix + APPLIED + projection + "#" + twoHexDigits;
    }

    public String shardReportPartition() {
        return prefix + SHARD;
    }

    /** A shard's report: the worker's application (a replay's differs from the live one) and the shard. */
    public ItemKey shardReport(String application, String shardId) {
        return ItemKey.of(shardReportPartition(), application + "#" + shardId);
    }

    @Override
    public String toString() {
        return prefix + "…";
    }
}
