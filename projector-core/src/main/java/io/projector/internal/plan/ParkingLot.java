package io.projector.internal.plan;

import io.projector.SequenceNumber;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one shard knows about parked changes: which source items have a change parked for a
 * projection (their later changes must wait behind it, to keep per-item order), and which changes
 * the engine has decided to park because their writes were refused.
 */
public final class ParkingLot {

    private final Set<String> blockedItems = new HashSet<>();
    private final Map<String, String> forced = new HashMap<>();

    public static ParkingLot empty() {
        return new ParkingLot();
    }

    public boolean isBlocked(String projection, String sourceKey) {
        return blockedItems.contains(projection + "\n" + sourceKey);
    }

    public void block(String projection, String sourceKey) {
        blockedItems.add(projection + "\n" + sourceKey);
    }

    public void replaceBlocked(Set<String> projectionAndKeys) {
        blockedItems.clear();
        blockedItems.addAll(projectionAndKeys);
    }

    public static String blockKey(String projection, String sourceKey) {
        return projection + "\n" + sourceKey;
    }

    /** Park this projection's change at this sequence number instead of projecting it. */
    public void force(String projection, SequenceNumber sequenceNumber, String reason) {
        forced.put(projection + "\n" + sequenceNumber, reason);
    }

    public String forcedReason(String projection, SequenceNumber sequenceNumber) {
        return forced.get(projection + "\n" + sequenceNumber);
    }

    public void clearForced() {
        forced.clear();
    }

    public int blockedCount() {
        return blockedItems.size();
    }

    ParkingLot copy() {
        ParkingLot c = new ParkingLot();
        c.blockedItems.addAll(blockedItems);
        c.forced.putAll(forced);
        return c;
    }
}
