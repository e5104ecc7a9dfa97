package io.projector.internal.store;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/** Whether a read-model table expires the engine items that carry {@value #ATTRIBUTE} (dead letters, hand-off markers). */
public final class TimeToLive {

    /** The TTL attribute of engine items that expire. */
    public static final String ATTRIBUTE = DeadLetterStore.EXPIRES_AT;

    private TimeToLive() {
    }

    /**
     * Null when the table expires items by {@value #ATTRIBUTE}; else one line saying what keeps dead
     * letters and hand-off markers for ever and what to do, for a warning at start.
     */
    public static String problem(DynamoDbClient dynamo, String table) {
        TimeToLiveDescription ttl;
        try {
            ttl = dynamo.describeTimeToLive(b -> b.tableName(table)).timeToLiveDescription();
        } catch (DynamoDbException e) {
            return "cannot tell whether table " + table + " expires dead letters (DescribeTimeToLive: "
                    + (e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : e.getMessage()) + "); allow dynamodb:DescribeTimeToLive on it to have this checked";
        }
        TimeToLiveStatus status = ttl.timeToLiveStatus();
        boolean on = status == TimeToLiveStatus.ENABLED || status == TimeToLiveStatus.ENABLING;
        if (on && ATTRIBUTE.equals(ttl.attributeName())) {
            return null;
        }
        return "table " + table + " has " + (on ? "its time to live on '" + ttl.attributeName() + "'" : "no time to live")
                + ": dead letters (with the source items' images) and hand-off markers are kept for ever; switch TTL on for '"
                + ATTRIBUTE + "' (projector run --create-tables does, as does the CDK stack), or purge letters with `projector dlq purge`";
    }
}
