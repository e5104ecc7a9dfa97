/**
 * {@code projector demo}: a local DynamoDB, a workload and a worker, checked against a recomputation.
 */
package io.projector.runner.demo;
