package io.projector.internal;

import java.util.Set;
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

    private TransientErrors() {
    }

    public static boolean isTransient(Throwable t) {
        if (t instanceof TransactionCanceledException e) {
            if (!e.hasCancellationReasons()) {
                return true;
            }
            boolean anyTransient = false;
            for (CancellationReason r : e.cancellationReasons()) {
                String code = r.code();
                if (code == null || "None".equals(code)) {
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
