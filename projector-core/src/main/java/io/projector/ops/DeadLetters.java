package io.projector.ops;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.ProjectionFailedException;
import io.projector.internal.commit.ChunkCommitter;
import io.projector.internal.commit.TransientErrors;
import io.projector.internal.plan.AppliedVersion;
import io.projector.internal.plan.Chunk;
import io.projector.internal.plan.ChunkPlanner;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.plan.HandOff;
import io.projector.internal.plan.HandOffRule;
import io.projector.internal.plan.ItemMutation;
import io.projector.internal.plan.LetterOrder;
import io.projector.internal.plan.MarkerKey;
import io.projector.internal.plan.MarkerWrite;
import io.projector.internal.plan.ParkingLot;
import io.projector.internal.plan.TransactionLimits;
import io.projector.internal.store.AppliedVersionStore;
import io.projector.internal.store.DeadLetterStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The dead-letter store of a read-model table, for people: list and show parked changes, re-drive
 * them after a fix, purge them. A re-drive runs a parked change through the same projection and
 * commits its writes in one transaction with the removal of its dead letter (conditioned on the
 * dead letter still being there), so a re-drive that is interrupted or run twice applies nothing
 * twice. The changes of one source item are re-driven in the order they stand in the item's life
 * ({@link LetterOrder}); when one fails again, the later ones of that item stay parked behind it.
 * A change parked during a backfill hand-off is judged by the hand-off rule against the item's
 * marker, which the re-drive moves in the same transaction (conditioned on it, like the worker's):
 * what the scan or the stream applied meanwhile is not applied again.
 */
public final class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private static final int MAX_PASSES = 5;
    /** Hand-off markers live 30 days (TTL); a letter older than this may have lost its item's marker. */
    static final Duration MARKER_TRUST = Duration.ofDays(29);
    private static final int MARKER_RACES = 5;

    /**
     * The outcome of a re-drive.
     *
     * @param redriven    changes applied and removed from the store
     * @param failedAgain changes whose projection failed again (their reason is updated)
     * @param stillWaiting changes left parked behind one that failed again
     * @param notRedrivable dead letters without images (undecodable records, images too large), or parked under
     *                      {@code *} (no projection saw them): purge them once handled by hand
     * @param withoutProjection per projection this process has not loaded (a plugin left off its class path), how many
     *                          of its changes were left parked: re-drive again with the projection loaded
     */
    public record RedriveResult(int redriven, int failedAgain, int stillWaiting, int notRedrivable, Map<String, Integer> withoutProjection) {
        public RedriveResult {
            withoutProjection = Map.copyOf(withoutProjection);
        }

        public RedriveResult(int redriven, int failedAgain, int stillWaiting, int notRedrivable) {
            this(redriven, failedAgain, stillWaiting, notRedrivable, Map.of());
        }
    }

    private final DynamoDbClient dynamo;
    private final DeadLetterStore store;
    private final ChunkPlanner planner;
    private final ChunkCommitter committer;
    private final AppliedVersionStore markers;
    private final Clock clock;
    private final Set<String> projectionNames;
    private final Retry retry = Retry.of("redrive", RetryConfig.custom()
            .maxAttempts(8)
            .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(100, 2.0, 0.5, 5_000))
            .retryOnException(TransientErrors::isTransient)
            .build());

    /** @param application whose dead letters (other applications' in the table are not looked at) */
    public DeadLetters(DynamoDbClient dynamo, String readModelTable, String application, List<Projection> projections) {
        this(dynamo, readModelTable, application, projections, Clock.systemUTC());
    }

    /** @param clock judges how old a hand-off letter is */
    public DeadLetters(DynamoDbClient dynamo, String readModelTable, String application, List<Projection> projections, Clock clock) {
        this.dynamo = dynamo;
        this.clock = clock;
        EngineKeys keys = EngineKeys.of(application);
        this.markers = new AppliedVersionStore(dynamo, readModelTable, keys);
        this.store = new DeadLetterStore(dynamo, readModelTable, keys);
        this.planner = new ChunkPlanner(projections, TransactionLimits.DYNAMODB);
        this.committer = new ChunkCommitter(dynamo, readModelTable, null, store, Clock.systemUTC());
        this.projectionNames = projections.stream().map(Projection::name).collect(java.util.stream.Collectors.toSet());
    }

    /** Parked changes, of one projection or (null) all. */
    public List<DeadLetter> list(String projection) {
        return store.list(projection);
    }

    public Optional<DeadLetter> get(String sortKey) {
        return store.get(sortKey);
    }

    /** Removes dead letters for good: of one projection, or (null) all. Returns how many. */
    public int purge(String projection) {
        List<DeadLetter> letters = store.list(projection);
        letters.forEach(d -> store.delete(d.sortKey()));
        return letters.size();
    }

    public boolean purgeOne(String sortKey) {
        if (store.get(sortKey).isEmpty()) {
            return false;
        }
        store.delete(sortKey);
        return true;
    }

    /**
     * Re-drives the parked changes of one projection or (null) all, item by item in stream order.
     * An item a running worker parked more changes of while this ran is gone over again, a few
     * times at most.
     */
    public RedriveResult redrive(String projection) {
        int redriven = 0;
        int failedAgain = 0;
        int stillWaiting = 0;
        int notRedrivable = 0;
        Set<String> stuck = new java.util.HashSet<>();
        Set<String> seenUndrivable = new java.util.HashSet<>();
        Map<String, Integer> withoutProjection = new java.util.TreeMap<>();
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            Map<String, List<DeadLetter>> byItem = new LinkedHashMap<>();
            for (DeadLetter d : store.list(projection)) {
                if (d.event().isEmpty() || !projectionNames.contains(d.projection())) {
                    if (seenUndrivable.add(d.sortKey())) {
                        if (d.event().isPresent() && !ChunkPlanner.NO_PROJECTION.equals(d.projection())) {
                            withoutProjection.merge(d.projection(), 1, Integer::sum);
                        } else {
                            notRedrivable++;
                        }
                    }
                    continue;
                }
                String item = d.projection() + "\n" + d.sourceKey();
                if (!stuck.contains(item)) {
                    byItem.computeIfAbsent(item, k -> new ArrayList<>()).add(d);
                }
            }
            if (byItem.isEmpty()) {
                break;
            }
            for (Map.Entry<String, List<DeadLetter>> entry : byItem.entrySet()) {
                List<DeadLetter> item = LetterOrder.of(entry.getValue());
                for (int i = 0; i < item.size(); i++) {
                    DeadLetter d = item.get(i);
                    Outcome outcome = redriveOne(d);
                    if (outcome == Outcome.APPLIED) {
                        redriven++;
                    } else if (outcome == Outcome.FAILED) {
                        failedAgain++;
                        stillWaiting += item.size() - i - 1;
                        stuck.add(entry.getKey());
                        break;
                    }
                }
            }
        }
        return new RedriveResult(redriven, failedAgain, stillWaiting, notRedrivable, withoutProjection);
    }

    private enum Outcome { APPLIED, ALREADY_GONE, FAILED }

    /** What a re-drive's transaction found. */
    private enum Commit { DONE, LETTER_GONE, MARKER_MOVED }

    private Outcome redriveOne(DeadLetter d) {
        ChangeEvent event = d.event().orElseThrow();
        String failure = tooOldForItsHandOff(d);
        for (int race = 0; failure == null; race++) {
            HandOff handOff = handOff(d, event);
            List<Chunk> chunks;
            try {
                chunks = planner.plan(List.of(event), Map.of(), ParkingLot.empty(), Set.of(d.projection()), handOff);
                failure = chunks.stream().flatMap(c -> c.parked().stream()).map(c -> c.reason()).findFirst().orElse(null);
            } catch (ProjectionFailedException e) {
                chunks = List.of();
                failure = e.reason();
            }
            if (failure != null) {
                break;
            }
            List<Chunk> planned = chunks;
            Commit result;
            try {
                result = retry.executeSupplier(() -> commit(planned, d));
            } catch (RuntimeException e) {
                if (TransientErrors.isTransient(e)) {
                    throw new IllegalStateException("re-drive stopped: DynamoDB keeps failing (" + e.getMessage()
                            + "); nothing is lost, run it again later", e);
                }
                failure = "DynamoDB refused its writes: " + e.getMessage();
                break;
            }
            if (result == Commit.DONE) {
                if (planned.stream().noneMatch(Chunk::needsCommit)) {
                    log.info("re-drive of {} for '{}': the read model already reflects it (hand-off marker); dead letter removed",
                            d.sourceKey(), d.projection());
                }
                return Outcome.APPLIED;
            }
            if (result == Commit.LETTER_GONE) {
                return Outcome.ALREADY_GONE;
            }
            if (race >= MARKER_RACES) {
                throw new IllegalStateException("re-drive stopped: the hand-off marker of " + d.sourceKey() + " for '" + d.projection()
                        + "' kept moving (a backfill or worker is applying it now); nothing is lost, run it again later");
            }
        }
        try {
            store.recordFailure(d.sortKey(), failure, "RedriveFailed");
        } catch (ConditionalCheckFailedException e) {
            return Outcome.ALREADY_GONE;
        }
        log.warn("re-drive of {} for '{}' failed again: {}", d.sourceKey(), d.projection(), failure);
        return Outcome.FAILED;
    }

    /**
     * A letter of a hand-off is judged against its item's marker; markers expire 30 days after they
     * move (when TTL is on), and without one the rule cannot tell what the read model holds.
     */
    private String tooOldForItsHandOff(DeadLetter d) {
        if (d.handOffVersionAttribute().isEmpty() || d.parkedAt().plus(MARKER_TRUST).isAfter(clock.instant())) {
            return null;
        }
        return "parked during a backfill hand-off on " + d.parkedAt() + ", more than " + MARKER_TRUST.toDays()
                + " days ago: its item's hand-off marker may have expired, so a re-drive cannot tell whether the read model already holds it;"
                + " compare the item with the source table, then purge this letter (projector dlq purge --key), or rebuild the projection";
    }

    /** The hand-off rule and the item's current marker, for a letter parked during a hand-off; none otherwise. */
    private HandOff handOff(DeadLetter d, ChangeEvent event) {
        if (d.handOffVersionAttribute().isEmpty()) {
            return HandOff.NONE;
        }
        MarkerKey key = new MarkerKey(d.projection(), d.sourceKey());
        Map<MarkerKey, AppliedVersion> marker = retry.executeSupplier(() -> markers.load(List.of(key)));
        return new HandOff(Map.of(d.projection(), new HandOffRule(d.handOffVersionAttribute().get())), marker, d.scanned());
    }

    /** Applies the change's writes, moves its item's hand-off marker if it has one, and removes its dead letter. */
    private Commit commit(List<Chunk> chunks, DeadLetter d) {
        List<TransactWriteItem> actions = new ArrayList<>();
        for (Chunk c : chunks) {
            for (ItemMutation m : c.mutations().values()) {
                actions.add(committer.action(m));
            }
        }
        int firstMarker = actions.size();
        long now = clock.millis();
        for (Chunk c : chunks) {
            for (MarkerWrite w : c.markers()) {
                actions.add(TransactWriteItem.builder().put(markers.put(w, now)).build());
            }
        }
        int letter = actions.size();
        actions.add(TransactWriteItem.builder().delete(Delete.builder().tableName(store.table())
                .key(store.keys().deadLetter(d.sortKey()).toAttributes())
                .conditionExpression("attribute_exists(PK)").build()).build());
        try {
            dynamo.transactWriteItems(b -> b.transactItems(actions));
            return Commit.DONE;
        } catch (TransactionCanceledException e) {
            if (!e.hasCancellationReasons()) {
                throw e;
            }
            if (failedCondition(e, letter, letter + 1)) {
                return Commit.LETTER_GONE;
            }
            if (failedCondition(e, firstMarker, letter)) {
                return Commit.MARKER_MOVED;
            }
            throw e;
        }
    }

    private static boolean failedCondition(TransactionCanceledException e, int from, int to) {
        for (int i = from; i < Math.min(to, e.cancellationReasons().size()); i++) {
            if ("ConditionalCheckFailed".equals(e.cancellationReasons().get(i).code())) {
                return true;
            }
        }
        return false;
    }
}
