package io.projector.internal.plan;

import io.projector.ops.DeadLetter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The order in which a re-drive applies one item's dead letters for one projection: where each
 * really stands in the item's life. Stream changes go by sequence number. A backfill's read of the
 * item carries only a count of the scan's reads as its sequence number, which would sort it ahead
 * of every stream change; it stands at the version it read, so it goes after the stream changes up
 * to that version and before the first one past it. Pure: no I/O.
 */
public final class LetterOrder {

    private LetterOrder() {
    }

    /** @param item the letters of one (projection, source item), each with its change */
    public static List<DeadLetter> of(List<DeadLetter> item) {
        List<DeadLetter> stream = new ArrayList<>();
        List<DeadLetter> scans = new ArrayList<>();
        item.forEach(d -> (d.scanned() ? scans : stream).add(d));
        stream.sort(Comparator.comparing(d -> d.event().orElseThrow().sequenceNumber()));
        if (scans.isEmpty()) {
            return stream;
        }
        HandOffRule rule = new HandOffRule(scans.get(0).handOffVersionAttribute().orElse("version"));
        scans.sort((a, b) -> {
            AppliedVersion pa = position(rule, a);
            AppliedVersion pb = position(rule, b);
            return pa.isAfter(pb) ? 1 : pb.isAfter(pa) ? -1 : 0;
        });
        List<DeadLetter> out = new ArrayList<>(item.size());
        int nextScan = 0;
        for (DeadLetter change : stream) {
            Optional<AppliedVersion> at = rule.position(change.event().orElseThrow());
            while (nextScan < scans.size() && at.isPresent() && at.get().isAfter(position(rule, scans.get(nextScan)))) {
                out.add(scans.get(nextScan++));
            }
            out.add(change);
        }
        out.addAll(scans.subList(nextScan, scans.size()));
        return out;
    }

    /** A scan's read is an image; without a readable version it counts as version 0, as the rule does. */
    private static AppliedVersion position(HandOffRule rule, DeadLetter scan) {
        return rule.position(scan.event().orElseThrow()).orElse(AppliedVersion.present(java.math.BigDecimal.ZERO));
    }
}
