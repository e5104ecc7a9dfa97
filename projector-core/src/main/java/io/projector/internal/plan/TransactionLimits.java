package io.projector.internal.plan;

/**
 * How large one commit may grow. DynamoDB allows 100 actions and 4 MB per TransactWriteItems; the
 * byte budget keeps a margin for request overhead and the estimate's error.
 */
public record TransactionLimits(int maxActions, long maxBytes) {

    public static final TransactionLimits DYNAMODB = new TransactionLimits(100, 3_500_000);

    public TransactionLimits {
        if (maxActions < 2 || maxActions > 100) {
            throw new IllegalArgumentException("maxActions must be between 2 and 100 (DynamoDB's limit), was " + maxActions);
        }
        if (maxBytes < 1_000 || maxBytes > 4_000_000) {
            throw new IllegalArgumentException("maxBytes must be between 1000 and 4000000 (DynamoDB's limit), was " + maxBytes);
        }
    }
}
