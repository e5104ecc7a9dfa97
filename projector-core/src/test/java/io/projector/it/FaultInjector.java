package io.projector.it;

import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * Makes a seeded share of read-model calls fail, the way DynamoDB and networks fail: throttled or
 * 500 before the request reaches the table, or lost after the table has applied it (the ambiguous
 * case: the commit happened, the client sees an error). It sits in the SDK's request path; the
 * database itself is real.
 */
final class FaultInjector implements ExecutionInterceptor {

    /** The transactional commit's calls: its transactions and the watermark reads. */
    static final Set<String> TRANSACTIONAL = Set.of("TransactWriteItems", "BatchGetItem");
    /** The guarded commit's too: one conditional put, update or delete per item, and its progress marks. */
    static final Set<String> GUARDED = Set.of("TransactWriteItems", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem");
    private static final Set<String> WRITES = Set.of("TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem");

    private final Set<String> operations;

    private final Random random;
    private final double throttleRate;
    private final double serverErrorRate;
    private final double lostResponseRate;
    private volatile boolean enabled = true;
    private volatile boolean outage;
    private volatile boolean denied;
    final AtomicInteger throttled = new AtomicInteger();
    final AtomicInteger serverErrors = new AtomicInteger();
    final AtomicInteger lostResponses = new AtomicInteger();

    FaultInjector(long seed, double throttleRate, double serverErrorRate, double lostResponseRate) {
        this(seed, throttleRate, serverErrorRate, lostResponseRate, TRANSACTIONAL);
    }

    /** @param operations the read-model calls it fails: {@link #TRANSACTIONAL} or {@link #GUARDED} */
    FaultInjector(long seed, double throttleRate, double serverErrorRate, double lostResponseRate, Set<String> operations) {
        this.operations = operations;
        this.random = new Random(seed);
        this.throttleRate = throttleRate;
        this.serverErrorRate = serverErrorRate;
        this.lostResponseRate = lostResponseRate;
    }

    void disable() {
        enabled = false;
    }

    /** While on, every read-model call is refused as AccessDenied, as after a broken IAM change. */
    void denyAccess(boolean on) {
        denied = on;
    }

    /** While on, every read-model call fails with a 500, as in a regional outage of the table. */
    void outage(boolean on) {
        outage = on;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (!applies(attributes)) {
            return;
        }
        if (denied) {
            throw error(400, "AccessDeniedException", "injected: not authorized to perform dynamodb:TransactWriteItems");
        }
        if (outage) {
            serverErrors.incrementAndGet();
            throw error(500, "InternalServerError", "injected: the table is unavailable");
        }
        double r = draw();
        if (r < throttleRate) {
            throttled.incrementAndGet();
            throw error(400, "ThrottlingException", "injected: rate of requests exceeds the allowed throughput");
        }
        if (r < throttleRate + serverErrorRate) {
            serverErrors.incrementAndGet();
            throw error(500, "InternalServerError", "injected: internal server error");
        }
    }

    /**
     * After the response was read whole: thrown from an earlier hook, before the body is read, the
     * exception left the HTTP connection unreleased, and a few dozen lost responses emptied the
     * client's pool of 50 connections (the guarded commit, a request per item, then hung).
     */
    @Override
    public void afterUnmarshalling(Context.AfterUnmarshalling context, ExecutionAttributes attributes) {
        if (applies(attributes) && WRITES.contains(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
                && draw() < lostResponseRate) {
            lostResponses.incrementAndGet();
            throw SdkClientException.create("injected: the response was lost after the table applied the request");
        }
    }

    private boolean applies(ExecutionAttributes attributes) {
        return enabled && operations.contains(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
    }

    private synchronized double draw() {
        return random.nextDouble();
    }

    private static DynamoDbException error(int status, String code, String message) {
        return (DynamoDbException) DynamoDbException.builder().statusCode(status).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("DynamoDb").build())
                .build();
    }
}
