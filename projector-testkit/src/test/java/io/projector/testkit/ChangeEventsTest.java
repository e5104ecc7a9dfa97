package io.projector.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.SequenceNumber;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeEventsTest {

    private final ChangeEvents events = ChangeEvents.create();

    private static Map<String, Object> order(String status) {
        return Map.of("PK", "ORDER#1", "SK", "ORDER", "type", "Order", "status", status, "total", 30);
    }

    @Test
    void eventsCarryKeysImagesTypesAndRisingSequenceNumbers() {
        ChangeEvent insert = events.insert(order("PENDING"));
        ChangeEvent modify = events.modify(order("PENDING"), order("PAID"));
        ChangeEvent remove = events.remove(order("PAID"));

        assertThat(insert.type()).isEqualTo(ChangeType.INSERT);
        assertThat(insert.oldImage()).isEmpty();
        assertThat(insert.keys().asMap()).containsOnlyKeys("PK", "SK");
        assertThat(insert.keys().string("PK")).isEqualTo("ORDER#1");
        assertThat(insert.entityType()).isEqualTo("Order");
        assertThat(insert.previousEntityType()).isEmpty();
        assertThat(modify.oldImage().orElseThrow().string("status")).isEqualTo("PENDING");
        assertThat(modify.newImage().orElseThrow().string("status")).isEqualTo("PAID");
        assertThat(modify.changesEntityType()).isFalse();
        assertThat(remove.newImage()).isEmpty();
        assertThat(remove.entityType()).isEqualTo("Order");
        assertThat(insert.sequenceNumber()).isEqualTo(SequenceNumber.of(1));
        assertThat(remove.sequenceNumber()).isEqualTo(SequenceNumber.of(3));
        assertThat(remove.approximateCreationTime()).isAfter(insert.approximateCreationTime());
    }

    @Test
    void aModifyToAnotherEntityTypeSaysSo() {
        Map<String, Object> draft = Map.of("PK", "ORDER#1", "SK", "ORDER", "type", "Draft");
        ChangeEvent promoted = events.startingAt(500).modify(draft, order("PAID"));
        assertThat(promoted.previousEntityType()).isEqualTo("Draft");
        assertThat(promoted.changesEntityType()).isTrue();
        assertThat(promoted.sequenceNumber()).isEqualTo(SequenceNumber.of(500));
    }

    @Test
    void otherKeyNamesAndAMissingKeyAttribute() {
        ChangeEvents custom = ChangeEvents.of("id", "rev", "kind");
        ChangeEvent e = custom.insert(Map.of("id", "a", "rev", "1", "kind", "Doc"));
        assertThat(e.keys().asMap()).containsOnlyKeys("id", "rev");
        assertThat(e.entityType()).isEqualTo("Doc");
        assertThatThrownBy(() -> custom.insert(Map.of("id", "a"))).hasMessageContaining("'rev'");
    }
}
