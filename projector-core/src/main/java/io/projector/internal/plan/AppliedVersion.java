package io.projector.internal.plan;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * During a hand-off, what the read model reflects of one source item for one projection: the
 * image with this version, or (gone) nothing since the image with this version was removed.
 * Positions are ordered by version, and at one version the removal comes after the image.
 */
public record AppliedVersion(BigDecimal version, boolean gone) {

    public AppliedVersion {
        Objects.requireNonNull(version, "version");
    }

    public static AppliedVersion present(BigDecimal version) {
        return new AppliedVersion(version, false);
    }

    public static AppliedVersion removed(BigDecimal version) {
        return new AppliedVersion(version, true);
    }

    /** Whether this position comes later in the item's life than the other. */
    public boolean isAfter(AppliedVersion other) {
        int c = version.compareTo(other.version);
        return c > 0 || (c == 0 && gone && !other.gone);
    }

    @Override
    public String toString() {
        return (gone ? "removed at version " : "version ") + version.toPlainString();
    }
}
