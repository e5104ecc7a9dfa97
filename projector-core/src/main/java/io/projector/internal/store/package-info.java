/**
 * Not API. One class per kind of engine item in the read-model table: watermarks, dead letters,
 * hand-off markers (applied versions), backfill registrations, shard reports; and the clients that
 * reach them. Depends on {@code plan} only.
 */
package io.projector.internal.store;
