package io.projector.internal.plan;

import io.projector.Write;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One event's writes per projection, the markers it moves, and the projections that park it instead. */
final class Projected {

    final Map<String, List<Write>> writes = new LinkedHashMap<>();
    final List<ParkedChange> parked = new ArrayList<>();
    final Map<MarkerKey, AppliedVersion> markers = new LinkedHashMap<>();

    /** The projections whose watermark the event moves: those that wrote, moved a marker or parked it. */
    Set<String> watermarkProjections() {
        Set<String> out = new LinkedHashSet<>(writes.keySet());
        markers.keySet().forEach(k -> out.add(k.projection()));
        parked.stream().filter(c -> !ChunkPlanner.NO_PROJECTION.equals(c.projection())).forEach(c -> out.add(c.projection()));
        return out;
    }
}
