package io.projector.runner.bench;

import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.Write;
import java.util.List;
import java.util.Set;

/** Wants one entity type and writes nothing: the engine then reads, decodes and plans but never commits, which measures the stream read rate. */
final class NoOpProjection implements Projection {

    private final String entityType;

    NoOpProjection(String entityType) {
        this.entityType = entityType;
    }

    @Override
    public String name() {
        return "no-op";
    }

    @Override
    public Set<String> entityTypes() {
        return Set.of(entityType);
    }

    @Override
    public List<Write> project(ChangeEvent event) {
        return List.of();
    }
}
