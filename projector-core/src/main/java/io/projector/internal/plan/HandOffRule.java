package io.projector.internal.plan;

import io.projector.ChangeEvent;
import io.projector.Item;
import java.math.BigDecimal;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The rule that makes a backfill join the stream exactly. Source items carry a version attribute
 * that grows with every write of the item, across deletion and re-creation too (missing counts as
 * 0, for items not written since versions were introduced). For each (projection, item) a marker
 * records the position the read model reflects. The scan applies an item only when no marker
 * exists; the stream applies a change only when it lies after the marker, and when the marker is
 * absent or a removal, applies it as an insert of its new image (the read model holds nothing of
 * the item). Every stream change after the scan started is delivered, so whatever the scan missed
 * arrives by the stream, and whatever it saw is skipped there. Pure: no I/O.
 */
public final class HandOffRule {

    /** What to do with one change for one projection. */
    public enum Action {
        /** The read model already reflects this change (or a later state). */
        SKIP,
        /** Project the change as it is: the read model reflects its old image. */
        APPLY,
        /** Project the change as an INSERT of its new image: the read model reflects nothing of the item. */
        APPLY_AS_INSERT,
        /** Nothing to project (a removal of an item the read model does not hold), but the marker moves. */
        MARK_ONLY,
        /** The change breaks the version contract; it is parked with the reason. */
        VIOLATION
    }

    /** The action and, unless skipped or refused, the marker afterwards. */
    public record Decision(Action action, AppliedVersion next, String reason) {
        static Decision skip() {
            return new Decision(Action.SKIP, null, null);
        }

        static Decision violation(String reason) {
            return new Decision(Action.VIOLATION, null, reason);
        }
    }

    private final String versionAttribute;

    public HandOffRule(String versionAttribute) {
        if (versionAttribute == null || versionAttribute.isBlank()) {
            throw new IllegalArgumentException("the version attribute name must not be empty");
        }
        this.versionAttribute = versionAttribute;
    }

    public String versionAttribute() {
        return versionAttribute;
    }

    /** A scanned item (an INSERT of what the scan read) is applied only if nothing of the item was applied yet. */
    public Decision forScan(AppliedVersion marker, ChangeEvent scanned) {
        if (marker != null) {
            return Decision.skip();
        }
        try {
            return new Decision(Action.APPLY, AppliedVersion.present(version(scanned.newImage())), null);
        } catch (IllegalArgumentException e) {
            return Decision.violation(e.getMessage());
        }
    }

    /** A stream change, against the marker of its item (null: none). */
    public Decision forStream(AppliedVersion marker, ChangeEvent event) {
        BigDecimal oldVersion;
        BigDecimal newVersion;
        try {
            oldVersion = event.oldImage().isPresent() ? version(event.oldImage()) : null;
            newVersion = event.newImage().isPresent() ? version(event.newImage()) : null;
        } catch (IllegalArgumentException e) {
            return Decision.violation(e.getMessage());
        }
        if (oldVersion != null && newVersion != null && newVersion.compareTo(oldVersion) <= 0) {
            return Decision.violation("version attribute '" + versionAttribute + "' did not grow (" + oldVersion.toPlainString()
                    + " -> " + newVersion.toPlainString() + "): a backfill hand-off needs it to grow with every write");
        }
        AppliedVersion position = newVersion != null ? AppliedVersion.present(newVersion) : AppliedVersion.removed(oldVersion);
        if (marker != null && !position.isAfter(marker)) {
            return Decision.skip();
        }
        if (marker == null || marker.gone()) {
            return new Decision(newVersion == null ? Action.MARK_ONLY : Action.APPLY_AS_INSERT, position, null);
        }
        if (oldVersion == null || oldVersion.compareTo(marker.version()) != 0) {
            return Decision.violation("the read model reflects " + marker + " of this item, but this change starts from "
                    + (oldVersion == null ? "no item" : "version " + oldVersion.toPlainString())
                    + ": a change in between is missing, or version attribute '" + versionAttribute + "' went back");
        }
        return new Decision(Action.APPLY, position, null);
    }

    /**
     * Where a change (or a scan's read) brings its item: the new image's version, or "removed at the
     * old image's version". Empty when the version attribute is not a number.
     */
    public Optional<AppliedVersion> position(ChangeEvent event) {
        try {
            return Optional.of(event.newImage().isPresent() ? AppliedVersion.present(version(event.newImage()))
                    : AppliedVersion.removed(version(event.oldImage())));
        } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
            return Optional.empty();
        }
    }

    private BigDecimal version(Optional<Item> image) {
        AttributeValue v = image.orElseThrow().asMap().get(versionAttribute);
        if (v == null || Boolean.TRUE.equals(v.nul())) {
            return BigDecimal.ZERO;
        }
        if (v.n() == null) {
            throw new IllegalArgumentException("version attribute '" + versionAttribute + "' is not a number (" + v + ")");
        }
        return new BigDecimal(v.n());
    }
}
