package io.projector.internal.plan;

/** One applied-version marker: a projection and a source item (as {@link SourceKeys} text). */
public record MarkerKey(String projection, String sourceKey) {
}
