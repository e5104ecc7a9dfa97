package io.projector.internal.plan;

import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.ProjectionFailedException;
import io.projector.Write;
import java.util.List;
import org.slf4j.MDC;

/** Calling a projection: again on failure, and checking what it returned. */
final class ProjectionCalls {

    /** A projection that throws is called this many times before its change is parked. */
    static final int ATTEMPTS = 3;

    private ProjectionCalls() {
    }

    /**
     * Calls the projection, again on failure: a projection that fails by chance gets a second chance
     * before its change is parked. Whatever it throws blames the change — a checked exception thrown
     * sneakily (Kotlin, Scala, Lombok), an {@code Error}, a class missing from its plugin jar, a stack
     * overflow — except a fatal VM error, which must end the worker before anything more is committed,
     * and an interrupt, which means the shard is being given up (not that the change is bad).
     */
    static List<Write> call(Projection p, ChangeEvent event) {
        Throwable last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                List<Write> writes = p.project(event);
                if (writes == null) {
                    throw new ProjectionFailedException(p.name(), event, "project() returned null instead of a list", null);
                }
                return writes;
            } catch (ProjectionFailedException e) {
                throw e;
            } catch (Throwable t) {
                if (FatalErrors.isFatal(t)) {
                    throw (Error) t;
                }
                if (t instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
                    Thread.currentThread().interrupt();
                    throw new ShardStoppedException(String.valueOf(MDC.get("shard")), "was interrupted inside projection '" + p.name() + "'");
                }
                last = t;
            }
        }
        throw new ProjectionFailedException(p.name(), event, describe(last), last);
    }

    /** Refuses a null write and a write under the engine's reserved partition keys. */
    static void check(Projection p, ChangeEvent event, List<Write> writes) {
        for (Write w : writes) {
            if (w == null) {
                throw new ProjectionFailedException(p.name(), event, "project() returned a null write", null);
            }
            if (w.key().pk().startsWith(EngineKeys.RESERVED_PREFIX)) {
                throw new ProjectionFailedException(p.name(), event,
                        "wrote to " + w.key() + ", but partition keys starting with " + EngineKeys.RESERVED_PREFIX + " are reserved for the engine", null);
            }
        }
    }

    /** One line on what the projection threw, with what to do where the type says it. */
    static String describe(Throwable t) {
        String what = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
        if (t instanceof LinkageError) {
            return what + " (a class the projection needs is missing or incompatible: add it to the plugin jar or the class path, then re-drive)";
        }
        if (t instanceof StackOverflowError) {
            return what + " (the projection recursed too deep on this change)";
        }
        return what;
    }
}
