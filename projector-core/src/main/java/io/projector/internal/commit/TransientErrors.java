package io.projector.internal.commit;

import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** Which failures of the read model are worth retrying: throttling, 5xx, transaction conflicts, timeouts. */
public final class TransientErrors {

    private static final Set<String> TRANSIENT_CODES = Set.of(
            "ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
            "TransactionConflictException", "TransactionInProgressException", "InternalServerError",
            "ServiceUnavailable", "LimitExceededException");

    private static final Set<String> TRANSIENT_REASONS = Set.of(
            "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded");

    private static final String CONDITION_FAILED = "ConditionalCheckFailed";

    private static final Set<String> RECORD_REASONS = Set.of("ValidationError", "ItemCollectionSizeLimitExceeded");

    private TransientErrors() {
    }

    /**
     * Whether the failure is about the environment, not a record: DynamoDB answered, refused, and
     * would refuse any record the same way (access denied, a missing table, bad credentials).
     */
    public static boolean isEnvironmentFailure(Throwable t) {
        return t instanceof AwsServiceException && !isTransient(t) && !isRefusedData(t)
                && !(t instanceof TransactionCanceledException);
    }

    /**
     * Whether DynamoDB refused the data itself (an item too large, an invalid value, a key of the
     * wrong type): retrying cannot help, but another record would go through. Refusals that are
     * not about the data (access denied, a missing table) are not, and must not park records.
     */
    public static boolean isRefusedData(Throwable t) {
        if (t instanceof io.projector.internal.guard.MixedWriteStylesException) {
            // A guarded counter update met a copy: the change that sent it is parked like one DynamoDB refuses.
            return true;
        }
        if (t instanceof TransactionCanceledException e) {
            return e.hasCancellationReasons() && e.cancellationReasons().stream()
                    .anyMatch(r -> r.code() != null && RECORD_REASONS.contains(r.code()));
        }
        if (t instanceof DynamoDbException e && e.awsErrorDetails() != null) {
            String code = e.awsErrorDetails().errorCode();
            // Table names are checked at start, so a validation error here is about the items.
            return "ValidationException".equals(code) || "ItemCollectionSizeLimitExceededException".equals(code);
        }
        return false;
    }

    /**
     * Whether the failure is contention on an item, not an outage: a transaction cancelled only
     * because another transaction (or write) held one of its items ({@code TransactionConflict}),
     * or a single-item write refused for that reason. The table answered; it is working.
     */
    public static boolean isConflict(Throwable t) {
        if (t instanceof TransactionCanceledException e) {
            if (!e.hasCancellationReasons()) {
                return false;
            }
            boolean anyConflict = false;
            for (CancellationReason r : e.cancellationReasons()) {
                String code = r.code();
                if (code == null || "None".equals(code) || CONDITION_FAILED.equals(code)) {
                    continue;
                }
                if (!"TransactionConflict".equals(code)) {
                    return false;
                }
                anyConflict = true;
            }
            return anyConflict;
        }
        return t instanceof DynamoDbException e && e.awsErrorDetails() != null
                && "TransactionConflictException".equals(e.awsErrorDetails().errorCode());
    }

    /**
     * Whether a guarded pack (a transaction of self-guarded writes) failed only on its writes' own
     * conditions: some items already hold what it carries. Its writes are then sent one by one,
     * where a refused condition is an answer, not a failure. A reason that is transient (a conflict,
     * throttling) makes it a failure to retry whole instead; refused data beside a failed condition
     * shows again on the single write that carries it, and is isolated from there.
     */
    public static boolean isConditionFailure(Throwable t) {
        if (!(t instanceof TransactionCanceledException e) || !e.hasCancellationReasons()) {
            return false;
        }
        boolean anyCondition = false;
        for (CancellationReason r : e.cancellationReasons()) {
            String code = r.code();
            if (code != null && TRANSIENT_REASONS.contains(code)) {
                return false;
            }
            anyCondition |= CONDITION_FAILED.equals(code);
        }
        return anyCondition;
    }

    public static boolean isTransient(Throwable t) {
        if (t instanceof TransactionCanceledException e) {
            if (!e.hasCancellationReasons()) {
                return true;
            }
            boolean anyTransient = false;
            for (CancellationReason r : e.cancellationReasons()) {
                String code = r.code();
                // A failed condition beside a transient reason (only a guarded pack's items carry conditions that
                // reach here): the retry sends the pack again, and its conditions judge again then.
                if (code == null || "None".equals(code) || CONDITION_FAILED.equals(code)) {
                    continue;
                }
                if (!TRANSIENT_REASONS.contains(code)) {
                    return false;
                }
                anyTransient = true;
            }
            return anyTransient;
        }
        if (t instanceof DynamoDbException e) {
            if (e.statusCode() >= 500 || e.isThrottlingException()) {
                return true;
            }
            return e.awsErrorDetails() != null && TRANSIENT_CODES.contains(e.awsErrorDetails().errorCode());
        }
        // Timeouts, resets and other client-side failures: the request may or may not have reached
        // the table, and the watermark condition makes a retry safe either way.
        return t instanceof SdkClientException;
    }
}
