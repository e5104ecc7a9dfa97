package io.projector.internal;

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
 * @param watermarks the watermark moves of the projections that wrote in this chunk
 */
public record Chunk(List<ChangeEvent> events, Map<ItemKey, ItemMutation> mutations, Map<String, WatermarkAdvance> watermarks) {

    public Chunk {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a chunk covers at least one event");
        }
        events = List.copyOf(events);
        mutations = Collections.unmodifiableMap(new LinkedHashMap<>(mutations));
        watermarks = Collections.unmodifiableMap(new LinkedHashMap<>(watermarks));
    }

    public ChangeEvent lastEvent() {
        return events.get(events.size() - 1);
    }

    public boolean hasWrites() {
        return !mutations.isEmpty();
    }

    /** Transaction actions: one per item and one per watermark. */
    public int actionCount() {
        return mutations.size() + watermarks.size();
    }
}
