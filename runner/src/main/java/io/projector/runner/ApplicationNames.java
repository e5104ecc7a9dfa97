package io.projector.runner;

import io.projector.worker.ProjectorConfig;

/**
 * The application a command works for: {@code --application-name}, or the default the worker takes
 * ({@code projector-<source table>}). It keys the engine's items in the read-model table, so the
 * tools that read them (status, dlq, migrate-keys) must name the same one as the worker.
 */
final class ApplicationNames {

    private ApplicationNames() {
    }

    /**
     * @param sourceTable the source table, or null when the command was not given one
     * @param given       how the user gave --application-name: the flag, its variable or its config file line
     */
    static String resolve(String applicationName, String sourceTable, String given) {
        if (applicationName != null && !applicationName.isBlank()) {
            ProjectorConfig.checkApplicationName(applicationName.trim(), given);
            return applicationName.trim();
        }
        if (sourceTable == null || sourceTable.isBlank()) {
            throw new IllegalArgumentException("--application-name is required (or --source-table, whose worker's default application "
                    + "is projector-<source table>): the engine's items in the read-model table are kept per application");
        }
        String derived = "projector-" + sourceTable.trim();
        ProjectorConfig.checkApplicationName(derived, "--application-name (default projector-<source table>)");
        return derived;
    }
}
