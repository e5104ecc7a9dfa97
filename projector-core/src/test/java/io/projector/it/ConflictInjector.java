package io.projector.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The transaction conflicts DynamoDB raises and DynamoDB Local never does (it runs transactions
 * under table locks). Shared by every client that writes one read model, it cancels a
 * {@code TransactWriteItems} with {@code TransactionCanceledException} (reason
 * {@code TransactionConflict} on the contested actions, {@code None} on the others) when another
 * transaction in flight holds one of its items, at a seeded rate when it touches a hot item, and
 * always while it touches an item declared blocked. The database itself stays real.
 */
final class ConflictInjector implements ExecutionInterceptor {

    private static final ExecutionAttribute<Set<String>> HELD = new ExecutionAttribute<>("conflict-injector-held");

    private final Random random;
    private final String hotPrefix;
    private double hotRate;
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final Set<String> blocked = new HashSet<>();
    final AtomicInteger overlaps = new AtomicInteger();
    final AtomicInteger hotConflicts = new AtomicInteger();
    final AtomicInteger blockedConflicts = new AtomicInteger();
    final AtomicInteger transactions = new AtomicInteger();

    /** @param hotPrefix items whose PK starts with it are hot; each transaction touching one is cancelled at {@code hotRate} */
    ConflictInjector(long seed, String hotPrefix, double hotRate) {
        this.random = new Random(seed);
        this.hotPrefix = hotPrefix;
        this.hotRate = hotRate;
    }

    /** Every transaction that touches the item with this PK conflicts until {@link #unblock}. */
    synchronized void block(String pk) {
        blocked.add(pk);
    }

    synchronized void unblock(String pk) {
        blocked.remove(pk);
    }

    synchronized void hotRate(double rate) {
        hotRate = rate;
    }

    int conflicts() {
        return overlaps.get() + hotConflicts.get() + blockedConflicts.get();
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (!(context.request() instanceof TransactWriteItemsRequest request)) {
            return;
        }
        transactions.incrementAndGet();
        List<String> keys = new ArrayList<>();
        for (TransactWriteItem a : request.transactItems()) {
            keys.add(key(a));
        }
        synchronized (this) {
            List<Boolean> contested = new ArrayList<>();
            boolean any = false;
            AtomicInteger cause = null;
            for (String k : keys) {
                boolean c = false;
                String pk = k.substring(0, k.indexOf('\n'));
                if (blocked.contains(pk)) {
                    c = true;
                    cause = blockedConflicts;
                } else if (inFlight.containsKey(k)) {
                    c = true;
                    cause = cause == null ? overlaps : cause;
                }
                contested.add(c);
                any |= c;
            }
            if (!any && hotRate > 0 && keys.stream().anyMatch(k -> k.startsWith(hotPrefix)) && random.nextDouble() < hotRate) {
                for (int i = 0; i < keys.size(); i++) {
                    contested.set(i, keys.get(i).startsWith(hotPrefix));
                }
                any = true;
                cause = hotConflicts;
            }
            if (any) {
                cause.incrementAndGet();
                throw conflict(contested);
            }
            Set<String> held = new HashSet<>(keys);
            held.forEach(k -> inFlight.merge(k, 1, Integer::sum));
            attributes.putAttribute(HELD, held);
        }
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        release(attributes);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        release(attributes);
    }

    private synchronized void release(ExecutionAttributes attributes) {
        Set<String> held = attributes.getAttribute(HELD);
        if (held != null) {
            held.forEach(k -> inFlight.computeIfPresent(k, (key, n) -> n == 1 ? null : n - 1));
            attributes.putAttribute(HELD, null);
        }
    }

    private static String key(TransactWriteItem a) {
        Map<String, AttributeValue> k;
        if (a.put() != null) {
            k = a.put().item();
        } else if (a.update() != null) {
            k = a.update().key();
        } else if (a.delete() != null) {
            k = a.delete().key();
        } else {
            k = a.conditionCheck().key();
        }
        return k.get("PK").s() + "\n" + k.get("SK").s();
    }

    private static TransactionCanceledException conflict(List<Boolean> contested) {
        List<CancellationReason> reasons = new ArrayList<>();
        StringBuilder codes = new StringBuilder();
        for (boolean c : contested) {
            String code = c ? "TransactionConflict" : "None";
            reasons.add(CancellationReason.builder().code(code)
                    .message(c ? "Transaction is ongoing for the item" : null).build());
            codes.append(codes.length() == 0 ? "" : ", ").append(code);
        }
        String message = "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "] (injected)";
        return (TransactionCanceledException) TransactionCanceledException.builder().message(message).statusCode(400)
                .cancellationReasons(reasons)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("TransactionCanceledException").errorMessage(message)
                        .serviceName("DynamoDb").build())
                .build();
    }
}
