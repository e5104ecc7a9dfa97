package io.projector.internal.plan;

import io.projector.ChangeEvent;
import io.projector.ItemKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run of consecutive change events whose writes, coalesced per item, fit one transaction.
 *
 * @param events     every event the chunk covers, including those that implied no write
 * @param mutations  one mutation per read-model item
 * @param watermarks the watermark moves of the projections that wrote, or parked a change, in this chunk
 * @param parked     changes to put into the dead-letter store in the same transaction
 * @param markers    applied-version markers moved by a backfill hand-off (empty otherwise)
 * @param writes     for a guarded commit, every write in stream order with its change's sequence number (empty otherwise)
 * @param guarded    whether the chunk is a guarded window: no transaction, each item's request guards itself
 */
public record Chunk(List<ChangeEvent> events, Map<ItemKey, ItemMutation> mutations, Map<String, WatermarkAdvance> watermarks,
                    List<ParkedChange> parked, List<MarkerWrite> markers, List<SequencedWrite> writes, boolean guarded) {

    public Chunk(List<ChangeEvent> events, Map<ItemKey, ItemMutation> mutations, Map<String, WatermarkAdvance> watermarks) {
        this(events, mutations, watermarks, List.of(), List.of());
    }

    public Chunk(List<ChangeEvent> events, Map<ItemKey, ItemMutation> mutations, Map<String, WatermarkAdvance> watermarks,
                 List<ParkedChange> parked, List<MarkerWrite> markers) {
        this(events, mutations, watermarks, parked, markers, List.of(), false);
    }

    public Chunk {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a chunk covers at least one event");
        }
        events = List.copyOf(events);
        mutations = Collections.unmodifiableMap(new LinkedHashMap<>(mutations));
        watermarks = Collections.unmodifiableMap(new LinkedHashMap<>(watermarks));
        parked = List.copyOf(parked);
        markers = List.copyOf(markers);
        writes = List.copyOf(writes);
        if (guarded && !markers.isEmpty()) {
            throw new IllegalArgumentException("a hand-off's markers move only in a transaction, not in a guarded window");
        }
    }

    public ChangeEvent lastEvent() {
        return events.get(events.size() - 1);
    }

    public boolean hasWrites() {
        return !mutations.isEmpty();
    }

    /** Whether a transaction is needed: something to write or to park. */
    public boolean needsCommit() {
        return !mutations.isEmpty() || !parked.isEmpty() || !markers.isEmpty();
    }

    /** Transaction actions: one per item, per watermark, per parked change and per marker. */
    public int actionCount() {
        return mutations.size() + watermarks.size() + parked.size() + markers.size();
    }
}
