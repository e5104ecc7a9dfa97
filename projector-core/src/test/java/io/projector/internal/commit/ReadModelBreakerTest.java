package io.projector.internal.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.projector.worker.ProjectorConfig;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** The worker-wide breaker opens on an outage, never on contention for one hot item. */
class ReadModelBreakerTest {

    private static final ProjectorConfig CONFIG = ProjectorConfig.builder().sourceTable("orders").readModelTable("orders-read")
            .applicationName("orders-app").region("us-east-1").build();

    @Test
    void transactionConflictsNeverOpenIt() {
        CircuitBreaker breaker = ReadModelBreaker.create(CONFIG);
        for (int i = 0; i < 100; i++) {
            call(breaker, () -> {
                throw conflict();
            });
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void conflictsDoNotDiluteAnOutageEither() {
        CircuitBreaker breaker = ReadModelBreaker.create(CONFIG);
        for (int i = 0; i < 20; i++) {
            call(breaker, () -> {
                throw conflict();
            });
            call(breaker, () -> {
                throw (DynamoDbException) DynamoDbException.builder().statusCode(500).message("down")
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("InternalServerError").build()).build();
            });
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    private static void call(CircuitBreaker breaker, Supplier<Object> action) {
        try {
            breaker.executeSupplier(action);
        } catch (RuntimeException expected) {
            // what the shard would see and handle
        }
    }

    private static TransactionCanceledException conflict() {
        return TransactionCanceledException.builder().statusCode(400).message("conflict")
                .cancellationReasons(CancellationReason.builder().code("None").build(),
                        CancellationReason.builder().code("TransactionConflict").build())
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("TransactionCanceledException").build()).build();
    }
}
