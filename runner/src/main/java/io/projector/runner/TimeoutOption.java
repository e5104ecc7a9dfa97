package io.projector.runner;

import picocli.CommandLine.Option;

/**
 * How long a command that waits for a read model to catch up gives it. An argument of the one
 * invocation, not a setting: each command has its own default, fitting what it waits for.
 */
public final class TimeoutOption {

    @Option(names = "--timeout-seconds", paramLabel = "SECONDS",
            description = "Give up if the read model has not caught up after this long (default: replay 3600, rebuild 86400, demo 300).")
    Long seconds;

    public long orElse(long fallback) {
        if (seconds != null && seconds < 1) {
            throw new IllegalArgumentException("--timeout-seconds must be at least 1, was " + seconds);
        }
        return seconds != null ? seconds : fallback;
    }
}
