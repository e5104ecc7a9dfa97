/**
 * The {@code projector} command: {@code run}, {@code dlq}, {@code backfill}, {@code replay}, {@code rebuild},
 * {@code status}, {@code migrate-keys}, with their options grouped by concern (one class a group, each flag
 * declared once) and one settings provider on the root (flags, {@code PROJECTOR_<FLAG>}, the config file).
 */
package io.projector.runner;
