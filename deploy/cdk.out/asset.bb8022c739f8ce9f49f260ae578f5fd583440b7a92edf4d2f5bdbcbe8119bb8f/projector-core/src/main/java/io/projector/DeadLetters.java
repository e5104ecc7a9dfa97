package io.projector;

import io.projector.internal.Chunk;
import io.projector.internal.ChunkCommitter;
import io.projector.internal.ChunkPlanner;
import io.projector.internal.DeadLetterStore;
import io.projector.internal.ItemMutation;
import io.projector.internal.ParkingLot;
import io.projector.internal.TransactionLimits;
import io.projector.internal.TransientErrors;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
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
 * twice. The changes of one source item are re-driven in stream order; when one fails again, the
 * later ones of that item stay parked behind it.
 */
public final class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private static final int MAX_PASSES = 5;

    /**
     * The outcome of a re-drive.
     *
     * @param redriven    changes applied and removed from the store
     * @param failedAgain changes whose projection failed again (their reason is updated)
     * @param stillWaiting changes left parked behind one that failed again
     * @param notRedrivable dead letters without images (undecodable records, images too large): purge them once handled by hand
     */
    public record RedriveResult(int redriven, int failedAgain, int stillWaiting, int notRedrivable) {
    }

    private final DynamoDbClient dynamo;
    private final DeadLetterStore store;
    private final ChunkPlanner planner;
    private final ChunkCommitter committer;
    private final Set<String> projectionNames;
    private final Retry retry = Retry.of("redrive", RetryConfig.custom()
            .maxAttempts(8)
            .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(100, 2.0, 0.5, 5_000))
            .retryOnException(TransientErrors::isTransient)
            .build());

    public DeadLetters(DynamoDbClient dynamo, String readModelTable, List<Projection> projections) {
        this.dynamo = dynamo;
        this.store = new DeadLetterStore(dynamo, readModelTable);
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
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            Map<String, List<DeadLetter>> byItem = new LinkedHashMap<>();
            for (DeadLetter d : store.list(projection)) {
                if (d.event().isEmpty() || !projectionNames.contains(d.projection())) {
                    if (seenUndrivable.add(d.sortKey())) {
                        notRedrivable++;
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
                List<DeadLetter> item = entry.getValue();
                item.sort(Comparator.comparing(d -> d.event().orElseThrow().sequenceNumber()));
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
        return new RedriveResult(redriven, failedAgain, stillWaiting, notRedrivable);
    }

    private enum Outcome { APPLIED, ALREADY_GONE, FAILED }

    private Outcome redriveOne(DeadLetter d) {
        ChangeEvent event = d.event().orElseThrow();
        List<Chunk> chunks;
        String failure;
        try {
            chunks = planner.plan(List.of(event), Map.of(), ParkingLot.empty(), Set.of(d.projection()));
            failure = chunks.stream().flatMap(c -> c.parked().stream()).map(c -> c.reason()).findFirst().orElse(null);
        } catch (ProjectionFailedException e) {
            chunks = List.of();
            failure = e.reason();
        }
        if (failure == null) {
            List<Chunk> planned = chunks;
            try {
                return retry.executeSupplier(() -> commit(planned, d)) ? Outcome.APPLIED : Outcome.ALREADY_GONE;
            } catch (RuntimeException e) {
                if (TransientErrors.isTransient(e)) {
                    throw new IllegalStateException("re-drive stopped: DynamoDB keeps failing (" + e.getMessage()
                            + "); nothing is lost, run it again later", e);
                }
                failure = "DynamoDB refused its writes: " + e.getMessage();
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

    /** Applies the change's writes and removes its dead letter; false if the dead letter was already gone. */
    private boolean commit(List<Chunk> chunks, DeadLetter d) {
        List<TransactWriteItem> actions = new ArrayList<>();
        for (Chunk c : chunks) {
            for (ItemMutation m : c.mutations().values()) {
                actions.add(committer.action(m));
            }
        }
        actions.add(TransactWriteItem.builder().delete(Delete.builder().tableName(store.table())
                .key(Map.of("PK", AttributeValue.fromS(DeadLetterStore.PK), "SK", AttributeValue.fromS(d.sortKey())))
                .conditionExpression("attribute_exists(PK)").build()).build());
        try {
            dynamo.transactWriteItems(b -> b.transactItems(actions));
            return true;
        } catch (TransactionCanceledException e) {
            boolean goneAlready = e.hasCancellationReasons()
                    && "ConditionalCheckFailed".equals(e.cancellationReasons().get(actions.size() - 1).code());
            if (!goneAlready) {
                throw e;
            }
            return false;
        }
    }
}
