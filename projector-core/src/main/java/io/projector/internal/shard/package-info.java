/**
 * Not API. One shard's loop: plan a batch, commit its chunks, park what cannot be projected, report
 * the shard's state; and the counters it feeds. Depends on {@code plan}, {@code store} and {@code commit}.
 */
package io.projector.internal.shard;
