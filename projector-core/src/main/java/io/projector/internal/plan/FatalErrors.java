package io.projector.internal.plan;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Which throwables the engine must not survive. Everything else a projection or the engine
 * throws blames one change or one shard; these leave the JVM itself in doubt (out of memory, a
 * broken VM), so no commit or checkpoint may follow them. A stack overflow is the exception to the
 * rule: it unwinds cleanly and blames the change that recursed too deep.
 */
public final class FatalErrors {

    /** The exit status after a fatal error (EX_SOFTWARE): the orchestrator restarts the worker, which resumes at its watermarks. */
    public static final int EXIT_STATUS = 70;

    private static final Logger log = LoggerFactory.getLogger(FatalErrors.class);

    private FatalErrors() {
    }

    /**
     * Ends the JVM at once: no shutdown hook and no graceful stop run, so nothing is committed or
     * checkpointed after the failing record (a graceful stop would checkpoint other shards' work,
     * which is safe, but in a VM out of memory it may hang instead).
     */
    public static void haltProcess(Throwable t) {
        try {
            log.error("fatal {} on shard {}: ending the process now (exit {}) without committing or checkpointing anything more; "
                    + "give it more memory (or fix the projection) and let the orchestrator restart it", t, MDC.get("shard"), EXIT_STATUS, t);
        } catch (Throwable ignored) {
            // Logging may itself need memory; the halt below matters more.
        }
        Runtime.getRuntime().halt(EXIT_STATUS);
    }

    public static boolean isFatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
    }
}
