package io.projector.internal.commit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** Which failures are retried, which blame a record, and which blame the environment. */
class TransientErrorsTest {

    @Test
    void throttlingServerErrorsConflictsAndTimeoutsAreTransient() {
        assertThat(TransientErrors.isTransient(error(400, "ThrottlingException"))).isTrue();
        assertThat(TransientErrors.isTransient(error(400, "ProvisionedThroughputExceededException"))).isTrue();
        assertThat(TransientErrors.isTransient(error(400, "RequestLimitExceeded"))).isTrue();
        assertThat(TransientErrors.isTransient(error(500, "InternalServerError"))).isTrue();
        assertThat(TransientErrors.isTransient(cancelled("None", "TransactionConflict"))).isTrue();
        assertThat(TransientErrors.isTransient(SdkClientException.create("read timed out"))).isTrue();
    }

    @Test
    void onlyCancellationsWhoseEveryReasonIsAConflictAreConflicts() {
        assertThat(TransientErrors.isConflict(cancelled("None", "TransactionConflict", "None"))).isTrue();
        assertThat(TransientErrors.isConflict(error(400, "TransactionConflictException"))).isTrue();
        // A throttled action beside a conflicted one: capacity, which the breaker must see.
        assertThat(TransientErrors.isConflict(cancelled("TransactionConflict", "ThrottlingError"))).isFalse();
        assertThat(TransientErrors.isConflict(cancelled("None", "ConditionalCheckFailed"))).isFalse();
        assertThat(TransientErrors.isConflict(cancelled("None", "None"))).isFalse();
        assertThat(TransientErrors.isConflict(error(400, "ThrottlingException"))).isFalse();
        assertThat(TransientErrors.isConflict(SdkClientException.create("read timed out"))).isFalse();
    }

    @Test
    void refusedDataBlamesARecord() {
        assertThat(TransientErrors.isRefusedData(error(400, "ValidationException"))).isTrue();
        assertThat(TransientErrors.isRefusedData(cancelled("ValidationError", "None"))).isTrue();
        assertThat(TransientErrors.isTransient(cancelled("ValidationError", "None"))).isFalse();
        assertThat(TransientErrors.isEnvironmentFailure(error(400, "ValidationException"))).isFalse();
    }

    @Test
    void accessDeniedAndMissingTablesBlameTheEnvironmentNotARecord() {
        for (String code : new String[] {"AccessDeniedException", "ResourceNotFoundException", "UnrecognizedClientException"}) {
            DynamoDbException e = error(400, code);
            assertThat(TransientErrors.isEnvironmentFailure(e)).as(code).isTrue();
            assertThat(TransientErrors.isRefusedData(e)).as(code).isFalse();
            assertThat(TransientErrors.isTransient(e)).as(code).isFalse();
        }
    }

    @Test
    void aFailedWatermarkConditionIsNeitherRetriedNorBlamed() {
        TransactionCanceledException e = cancelled("None", "ConditionalCheckFailed");
        assertThat(TransientErrors.isTransient(e)).isFalse();
        assertThat(TransientErrors.isRefusedData(e)).isFalse();
        assertThat(TransientErrors.isEnvironmentFailure(e)).isFalse();
    }

    private static DynamoDbException error(int status, String code) {
        return (DynamoDbException) DynamoDbException.builder().statusCode(status).message(code)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code).build()).build();
    }

    private static TransactionCanceledException cancelled(String... codes) {
        CancellationReason[] reasons = new CancellationReason[codes.length];
        for (int i = 0; i < codes.length; i++) {
            reasons[i] = CancellationReason.builder().code(codes[i]).build();
        }
        return TransactionCanceledException.builder().statusCode(400).message("cancelled").cancellationReasons(reasons)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("TransactionCanceledException").build()).build();
    }
}
