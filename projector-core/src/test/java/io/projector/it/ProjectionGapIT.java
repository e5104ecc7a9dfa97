package io.projector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.projector.Projection;
import io.projector.ops.Backfill;
import io.projector.ops.BackfillConfig;
import io.projector.ops.BackfillProgress;
import io.projector.ops.ReadModelStatus;
import io.projector.ops.ReadModelVerifier;
import io.projector.worker.Projector;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The new user's mistake: the worker ran once without a projection (its plugin was not loaded),
 * the application's checkpoints moved on, and then the worker is started with it. Started as is,
 * the projection would never see the changes in between. It is refused with one line that says
 * what to do, {@code status} shows it as having missed changes, and the way the line names (a
 * backfill) brings it exactly up to date; left out once more, it is refused again.
 */
class ProjectionGapIT {

    private static final CopyProjection COPY = new CopyProjection();
    private static final TallyProjection TALLY = new TallyProjection();

    @Test
    void aProjectionThatWouldMissChangesIsRefusedShownAsSuchAndBackfilled() throws Exception {
        TestDynamo.Setup t = TestDynamo.tables("gap");
        SourceWriter writer = new SourceWriter(t.source(), 9, 40);
        ReadModelVerifier copyOnly = new ReadModelVerifier(TestDynamo.client(), List.of(COPY), "type");
        ReadModelVerifier both = new ReadModelVerifier(TestDynamo.client(), List.of(COPY, TALLY), "type");

        // 1. The worker runs without 'tally'.
        try (Projector first = t.start(List.of(COPY))) {
            writer.write(60);
            // Projected and checkpointed (the worker reports where it checkpointed): a stop abandons a batch in
            // flight, and a batch not checkpointed is read again by the next start, so there would be no gap.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> copyOnly.verify(t.source(), t.readModel()).matches()
                            && status(t, "tally").state().startsWith(ReadModelStatus.MISSED));
        }

        // 2. Started with it, it would miss those 60 changes: refused, in one line that says what to do.
        assertThatThrownBy(() -> t.start(List.of(COPY, TALLY)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("projection 'tally' has never run on application '" + t.application() + "'")
                .hasMessageContaining("projector backfill --projections tally")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

        // 3. status says what it is, not "live".
        ReadModelStatus.ProjectionLine tally = status(t, "tally");
        assertThat(tally.state()).startsWith(ReadModelStatus.MISSED);
        assertThat(tally.shards()).isNotEmpty().allSatisfy(s -> {
            assertThat(s.state()).isEqualTo(ReadModelStatus.MISSED);
            assertThat(s.missed()).contains("no watermark", "[copy]");
        });
        assertThat(status(t, "copy").state()).isEqualTo("live");

        // 4. The way out the line names: register a backfill, then start the worker with it.
        Backfill backfill = Backfill.start(t.config().build(), List.of(TALLY), BackfillConfig.builder()
                .segments(1).joinTimeout(Duration.ofSeconds(60)).build());
        // The backfill registers from its own thread: the worker's start check must find the registration.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                new io.projector.internal.store.BackfillStore(TestDynamo.client(), t.readModel(), io.projector.internal.plan.EngineKeys.of(t.application())).registration("tally").isPresent());
        try (Projector withTally = t.start(List.of(COPY, TALLY))) {
            BackfillProgress done = backfill.await();
            assertThat(done.phase()).isEqualTo("COMPLETE");
            // Fresh items only: changes of scanned items without a version attribute would be parked during the hand-off.
            AtomicInteger fresh = new AtomicInteger();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
                TestDynamo.putThing(t.source(), "NEW#" + fresh.incrementAndGet(), "THING", "g1", "new", 1);
                return both.verify(t.source(), t.readModel()).matches() && !status(t, "tally").state().startsWith(ReadModelStatus.MISSED);
            });
            assertThat(withTally.stats().parked()).isZero();
        }

        // 5. Left out of one more run, it is behind the checkpoint: refused again, pointing at rebuild or replay.
        try (Projector withoutTally = t.start(List.of(COPY))) {
            int before = writer.written();
            writer.write(20);
            // Committed and checkpointed, not only seen: a stop abandons a batch in flight, and then nothing
            // moved past tally's watermark (no gap, nothing to refuse).
            await().atMost(Duration.ofSeconds(60)).until(() -> withoutTally.stats().eventsSeen() >= writer.written() - before
                    && status(t, "tally").state().startsWith(ReadModelStatus.MISSED));
        }
        assertThatThrownBy(() -> t.start(List.of(COPY, TALLY)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("projection 'tally' stopped at sequence")
                .hasMessageContaining("projector rebuild --projections tally");
        assertThat(status(t, "tally").state()).startsWith(ReadModelStatus.MISSED);
    }

    private static ReadModelStatus.ProjectionLine status(TestDynamo.Setup t, String projection) {
        return ReadModelStatus.read(TestDynamo.client(), t.readModel(), t.application(), List.of(projection), System.currentTimeMillis()).get(0);
    }
}
