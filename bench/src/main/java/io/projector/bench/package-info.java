/**
 * JMH benchmarks of the in-memory hot path (decode, plan); compiled by verify, run by hand (BENCHMARKS.md).
 */
package io.projector.bench;
