package io.projector.ops;

import io.projector.Projection;
import io.projector.internal.BackfillRun;
import io.projector.worker.ProjectorConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Builds projections from the source table itself: a parallel, rate-limited, consistent Scan fed
 * through the same plan/commit path as the stream, handed off to the live stream exactly (see the
 * README, "Replay, backfill and rebuild"). The workers running the projections must join the
 * hand-off first: start the backfill, then start or redeploy them; the scan waits for them.
 *
 * <pre>{@code
 * Backfill backfill = Backfill.start(config, List.of(new MyProjection()), BackfillConfig.builder().build());
 * BackfillProgress done = backfill.await();
 * }</pre>
 */
public final class Backfill {

    private final BackfillRun run;
    private final CompletableFuture<BackfillProgress> result;

    private Backfill(BackfillRun run) {
        this.run = run;
        this.result = CompletableFuture.supplyAsync(run::run, r -> {
            Thread t = new Thread(r, "backfill");
            t.setDaemon(true);
            t.start();
        });
    }

    /** Registers the projections and starts the backfill in the background. */
    public static Backfill start(ProjectorConfig config, List<Projection> projections, BackfillConfig options) {
        if (projections.isEmpty()) {
            throw new IllegalArgumentException("no projections to backfill");
        }
        return new Backfill(new BackfillRun(config, projections, options, p -> { }));
    }

    public BackfillProgress progress() {
        return run.progress();
    }

    public boolean isDone() {
        return result.isDone();
    }

    /** Asks the scan to stop after the pages in flight; what is committed stays, and a new run resumes from there. */
    public void stop() {
        run.stop();
    }

    /** Waits for the end: phase COMPLETE, or STOPPED after {@link #stop()}; a failure is thrown as it happened. */
    public BackfillProgress await() throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
