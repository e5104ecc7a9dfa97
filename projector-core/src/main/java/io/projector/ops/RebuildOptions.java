package io.projector.ops;

import java.util.Objects;

/**
 * What a rebuild builds and where readers find it.
 *
 * @param alias        the name readers resolve through the {@link ReadModelPointer} (an alias not set yet points at itself)
 * @param newTable     the table to build
 * @param pointerTable the pointer table
 * @param backfill     how the new table's backfill scans the source
 */
public record RebuildOptions(String alias, String newTable, String pointerTable, BackfillConfig backfill) {

    public RebuildOptions {
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(newTable, "newTable");
        Objects.requireNonNull(pointerTable, "pointerTable");
        Objects.requireNonNull(backfill, "backfill");
        if (!"rebuild".equals(backfill.purpose())) {
            throw new IllegalArgumentException("a rebuild's backfill has purpose rebuild");
        }
    }

    /** The application that builds (and afterwards keeps) the new table: its own leases and checkpoints. */
    public String applicationName(String liveApplication) {
        return liveApplication + "-rebuild-" + newTable;
    }
}
