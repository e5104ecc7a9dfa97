package io.projector.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.SequenceNumber;
import io.projector.it.CopyProjection;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The hand-off rule's refusals and its marker-only case, through the planner: what is parked, with which reason. */
class HandOffRuleTest {

    private static final CopyProjection COPY = new CopyProjection();
    private static final ChunkPlanner PLANNER = new ChunkPlanner(List.of(COPY), TransactionLimits.DYNAMODB);
    private static final MarkerKey MARKER = new MarkerKey("copy", "PK=T#1|SK=1");

    @Test
    void aVersionThatDidNotGrowIsParkedWithTheReason() {
        List<Chunk> chunks = plan(Map.of(), modify(3, 3));
        assertThat(chunks.get(0).parked()).singleElement().satisfies(p -> {
            assertThat(p.errorType()).isEqualTo("HandOffViolation");
            assertThat(p.reason()).contains("version attribute 'version' did not grow (3 -> 3)");
        });
        assertThat(chunks.get(0).mutations()).isEmpty();
        assertThat(chunks.get(0).markers()).isEmpty();
    }

    @Test
    void aChangeThatDoesNotStartWhereTheReadModelStandsIsParked() {
        List<Chunk> chunks = plan(Map.of(MARKER, AppliedVersion.present(BigDecimal.valueOf(2))), modify(3, 4));
        assertThat(chunks.get(0).parked()).singleElement().satisfies(p ->
                assertThat(p.reason()).contains("the read model reflects version 2 of this item, but this change starts from version 3"));
    }

    @Test
    void aRemovalOfAnItemTheReadModelDoesNotHoldOnlyMovesTheMarker() {
        ChangeEvent remove = new ChangeEvent(ChangeType.REMOVE, keys(), Optional.of(image(5)), Optional.empty(), "Thing",
                SequenceNumber.of(10), Instant.EPOCH);
        List<Chunk> chunks = plan(Map.of(), remove);
        assertThat(chunks.get(0).mutations()).isEmpty();
        assertThat(chunks.get(0).markers()).containsExactly(new MarkerWrite(MARKER, null, AppliedVersion.removed(BigDecimal.valueOf(5))));
    }

    @Test
    void aChangeAtOrBelowTheMarkerIsSkippedAndTheNextOneApplies() {
        Map<MarkerKey, AppliedVersion> markers = Map.of(MARKER, AppliedVersion.present(BigDecimal.valueOf(3)));
        assertThat(plan(markers, modify(2, 3)).get(0).needsCommit()).isFalse();
        Chunk next = plan(markers, modify(3, 4)).get(0);
        assertThat(next.mutations()).isNotEmpty();
        assertThat(next.markers()).containsExactly(new MarkerWrite(MARKER, AppliedVersion.present(BigDecimal.valueOf(3)),
                AppliedVersion.present(BigDecimal.valueOf(4))));
    }

    private static List<Chunk> plan(Map<MarkerKey, AppliedVersion> markers, ChangeEvent event) {
        return PLANNER.plan(List.of(event), Map.of(), ParkingLot.empty(), null,
                new HandOff(Map.of("copy", new HandOffRule("version")), markers, false));
    }

    private static ChangeEvent modify(long from, long to) {
        return new ChangeEvent(ChangeType.MODIFY, keys(), Optional.of(image(from)), Optional.of(image(to)), "Thing",
                SequenceNumber.of(10), Instant.EPOCH);
    }

    private static Item keys() {
        return Item.of(Map.of("PK", AttributeValue.fromS("T#1"), "SK", AttributeValue.fromS("1")));
    }

    private static Item image(long version) {
        return Item.of(Map.of("PK", AttributeValue.fromS("T#1"), "SK", AttributeValue.fromS("1"), "type", AttributeValue.fromS("Thing"),
                "group", AttributeValue.fromS("g"), "value", AttributeValue.fromS("v" + version), "amount", AttributeValue.fromN("1"),
                "version", AttributeValue.fromN(Long.toString(version))));
    }
}
