package io.projector.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.SequenceNumber;
import io.projector.ops.DeadLetter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class LetterOrderTest {

    @Test
    void streamChangesGoBySequenceNumberNumericallyNotAsText() {
        DeadLetter later = change("10000000000000000000002", 1, 2, false);
        DeadLetter earlier = change("9000000000000000000001", 0, 1, false);

        assertThat(LetterOrder.of(List.of(later, earlier))).containsExactly(earlier, later);
    }

    @Test
    void aScanReadStandsAtTheVersionItReadNotAtItsMadeUpSequenceNumber() {
        DeadLetter toV2 = change("7000000000000000000100", 1, 2, false);
        DeadLetter toV3 = change("7000000000000000000200", 2, 3, false);
        DeadLetter toV4 = change("7000000000000000000300", 3, 4, false);
        DeadLetter removedAtV4 = change("7000000000000000000400", 4, null, false);
        DeadLetter scanAtV3 = change("2", null, 3, true);

        assertThat(LetterOrder.of(new ArrayList<>(List.of(toV4, scanAtV3, removedAtV4, toV2, toV3))))
                .containsExactly(toV2, toV3, scanAtV3, toV4, removedAtV4);
    }

    @Test
    void aScanReadNewerThanEveryParkedStreamChangeGoesLast() {
        DeadLetter toV2 = change("7000000000000000000100", 1, 2, false);
        DeadLetter scanAtV5 = change("1", null, 5, true);

        assertThat(LetterOrder.of(List.of(scanAtV5, toV2))).containsExactly(toV2, scanAtV5);
    }

    private static DeadLetter change(String seq, Integer oldVersion, Integer newVersion, boolean scanned) {
        ChangeType type = oldVersion == null ? ChangeType.INSERT : newVersion == null ? ChangeType.REMOVE : ChangeType.MODIFY;
        ChangeEvent event = new ChangeEvent(type, Item.of(Map.of("PK", AttributeValue.fromS("K"), "SK", AttributeValue.fromS("1"))),
                Optional.ofNullable(oldVersion).map(LetterOrderTest::image), Optional.ofNullable(newVersion).map(LetterOrderTest::image),
                "Thing", SequenceNumber.parse(seq), Instant.EPOCH);
        return new DeadLetter("p", scanned ? "backfill-0" : "shard-1", "p#" + seq, Optional.of(event), "PK=K|SK=1", "broken",
                "IllegalStateException", Instant.EPOCH, 1, Optional.of("version"), scanned);
    }

    private static Item image(int version) {
        Map<String, AttributeValue> item = new HashMap<>(Map.of("PK", AttributeValue.fromS("K"), "SK", AttributeValue.fromS("1"),
                "type", AttributeValue.fromS("Thing"), "version", AttributeValue.fromN(Integer.toString(version))));
        return Item.of(item);
    }
}
