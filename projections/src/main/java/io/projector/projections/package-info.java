/**
 * The built-in projections, built like any plugin: against {@code projector-api} alone, tested through
 * the test kit. Their read-model keys are in {@code projections/KEYS.md}.
 */
package io.projector.projections;
