package io.projector.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.ProjectionFailedException;
import io.projector.SequenceNumber;
import io.projector.internal.plan.BoundedText;
import io.projector.internal.plan.EngineKeys;
import io.projector.internal.plan.ParkedChange;
import io.projector.worker.DeadLetterPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** What a dead letter holds under each policy: the item the store writes, built without a database. */
class DeadLetterStoreTest {

    private static final long NOW_MILLIS = 1_790_000_000_123L;
    private static final String SSN = "123-45-6789";

    private static ParkedChange parked(String reason) {
        Map<String, AttributeValue> keys = Map.of("PK", AttributeValue.fromS("CUSTOMER#1"), "SK", AttributeValue.fromS("PROFILE"));
        Map<String, AttributeValue> image = Map.of("PK", AttributeValue.fromS("CUSTOMER#1"), "SK", AttributeValue.fromS("PROFILE"),
                "type", AttributeValue.fromS("Customer"), "ssn", AttributeValue.fromS(SSN), "name", AttributeValue.fromS("Ada"));
        ChangeEvent event = new ChangeEvent(ChangeType.MODIFY, Item.of(keys, "keys of CUSTOMER#1"), Optional.of(Item.of(image)),
                Optional.of(Item.of(image)), "Customer", SequenceNumber.parse("4200000000000000000001"), Instant.ofEpochMilli(NOW_MILLIS), "Customer");
        return new ParkedChange("customer-view", event, reason, "IllegalStateException");
    }

    private static Map<String, AttributeValue> letter(DeadLetterPolicy policy, String reason) {
        return new DeadLetterStore(null, "rm", EngineKeys.of("app"), policy).put("shardId-1", parked(reason), NOW_MILLIS).item();
    }

    @Test
    void everyLetterExpiresAfterTheRetention() {
        assertThat(letter(DeadLetterPolicy.DEFAULT, "boom").get("expiresAt").n())
                .isEqualTo(Long.toString(NOW_MILLIS / 1000 + Duration.ofDays(14).toSeconds()));
        DeadLetterPolicy twoDays = new DeadLetterPolicy(Duration.ofDays(2), true, Set.of());
        assertThat(letter(twoDays, "boom").get("expiresAt").n()).isEqualTo(Long.toString(NOW_MILLIS / 1000 + 2 * 86_400));
    }

    @Test
    void byDefaultTheImagesAreKeptAndTheLetterCanBeRedriven() {
        Map<String, AttributeValue> item = letter(DeadLetterPolicy.DEFAULT, "boom");
        assertThat(item.get("newImage").m().get("ssn").s()).isEqualTo(SSN);
        assertThat(DeadLetterStore.toDeadLetter(item).event()).isPresent();
    }

    @Test
    void withoutImagesOnlyKeysSequenceNumberAndReasonAreKept() {
        Map<String, AttributeValue> item = letter(new DeadLetterPolicy(Duration.ofDays(14), false, Set.of()), "boom");
        assertThat(item).doesNotContainKeys("oldImage", "newImage");
        assertThat(item.toString()).doesNotContain(SSN);
        assertThat(item.get("keys").m()).containsOnlyKeys("PK", "SK");
        assertThat(item.get("sequenceNumber").s()).isEqualTo("4200000000000000000001");
        assertThat(item.get("reason").s()).isEqualTo("boom");
        assertThat(item.get("imagesOmitted").s()).contains("without images");
        assertThat(DeadLetterStore.toDeadLetter(item).event()).as("nothing to re-drive").isEmpty();
    }

    @Test
    void namedAttributesAreRedactedInBothImages() {
        Map<String, AttributeValue> item = letter(new DeadLetterPolicy(Duration.ofDays(14), true, Set.of("ssn", "email")), "boom");
        assertThat(item.toString()).doesNotContain(SSN);
        assertThat(item.get("oldImage").m().get("ssn").s()).isEqualTo(DeadLetterPolicy.REDACTED);
        assertThat(item.get("newImage").m().get("ssn").s()).isEqualTo(DeadLetterPolicy.REDACTED);
        assertThat(item.get("newImage").m().get("name").s()).as("not named").isEqualTo("Ada");
        assertThat(item.get("imagesRedacted").ss()).as("only what was there").containsExactly("ssn");
        assertThat(DeadLetterStore.toDeadLetter(item).event()).as("a redacted change is not what happened: not re-driven").isEmpty();
    }

    @Test
    void theReasonIsCutToABoundedLength() {
        String longReason = "IllegalStateException: customer ada@example.com " + "x".repeat(5_000);
        String stored = letter(DeadLetterPolicy.DEFAULT, longReason).get("reason").s();
        assertThat(stored).hasSizeLessThan(BoundedText.MAX_CHARS + 60).startsWith("IllegalStateException: customer")
                .endsWith("more characters cut)");
    }

    @Test
    void aProjectionsExceptionTextIsCutInTheReasonAndTheMessage() {
        ProjectionFailedException e = new ProjectionFailedException("customer-view", parked("-").event(), "y".repeat(10_000), null);
        assertThat(e.reason()).hasSizeLessThan(BoundedText.MAX_CHARS + 60);
        assertThat(e.getMessage()).hasSizeLessThan(BoundedText.MAX_CHARS + 300);
    }

    @Test
    void cuttingKeepsSurrogatePairsWhole() {
        String text = "a".repeat(BoundedText.MAX_CHARS - 1) + "😀" + "b".repeat(10);
        String cut = BoundedText.cut(text);
        assertThat(cut).startsWith("a".repeat(BoundedText.MAX_CHARS - 1) + "...");
        assertThat(BoundedText.cut("short")).isEqualTo("short");
    }

    @Test
    void aPolicyThatCannotHoldIsRefusedInOneLine() {
        assertThatThrownBy(() -> new DeadLetterPolicy(Duration.ofMinutes(5), true, Set.of()))
                .hasMessageContaining("retention must be between 1 hour and 365 days");
        assertThatThrownBy(() -> new DeadLetterPolicy(Duration.ofDays(1), false, Set.of("ssn")))
                .hasMessageContaining("need images to redact");
    }
}
