/**
 * {@code projector bench}: the worker's throughput and cost against a naive applier, and what only it uses.
 */
package io.projector.runner.bench;
