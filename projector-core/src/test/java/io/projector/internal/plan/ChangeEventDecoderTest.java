package io.projector.internal.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.SequenceNumber;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

class ChangeEventDecoderTest {

    private static final String SEQ = "4421584500000000017450439091";
    private static final Instant CREATED = Instant.parse("2024-05-01T10:15:30Z");

    private final ChangeEventDecoder decoder = new ChangeEventDecoder("type");

    private static Map<String, AttributeValue> keys() {
        return Map.of("PK", AttributeValue.fromS("ORDER#1"), "SK", AttributeValue.fromS("ORDER"));
    }

    private static Map<String, AttributeValue> image(String type, String status) {
        Map<String, AttributeValue> m = new LinkedHashMap<>(keys());
        if (type != null) {
            m.put("type", AttributeValue.fromS(type));
        }
        m.put("status", AttributeValue.fromS(status));
        return m;
    }

    private static StreamRecord.Builder body() {
        return StreamRecord.builder().keys(keys()).sequenceNumber(SEQ).approximateCreationDateTime(CREATED);
    }

    private static Record record(String eventName, StreamRecord body) {
        return Record.builder().eventID("evt-1").eventName(eventName).dynamodb(body).build();
    }

    @Test
    void decodesAnInsert() {
        ChangeEvent e = decoder.decode(record("INSERT", body().newImage(image("Order", "NEW")).build()));

        assertThat(e.type()).isEqualTo(ChangeType.INSERT);
        assertThat(e.keys()).isEqualTo(Item.of(keys()));
        assertThat(e.oldImage()).isEmpty();
        assertThat(e.newImage()).contains(Item.of(image("Order", "NEW")));
        assertThat(e.entityType()).isEqualTo("Order");
        assertThat(e.sequenceNumber()).isEqualTo(SequenceNumber.parse(SEQ));
        assertThat(e.approximateCreationTime()).isEqualTo(CREATED);
        assertThat(e.latestImage().string("status")).isEqualTo("NEW");
    }

    @Test
    void decodesAModifyWithBothImages() {
        ChangeEvent e = decoder.decode(record("MODIFY", body()
                .oldImage(image("Order", "NEW"))
                .newImage(image("Order", "PAID"))
                .build()));

        assertThat(e.type()).isEqualTo(ChangeType.MODIFY);
        assertThat(e.oldImage()).hasValueSatisfying(i -> assertThat(i.string("status")).isEqualTo("NEW"));
        assertThat(e.newImage()).hasValueSatisfying(i -> assertThat(i.string("status")).isEqualTo("PAID"));
        assertThat(e.entityType()).isEqualTo("Order");
        assertThat(e.latestImage().string("status")).isEqualTo("PAID");
    }

    @Test
    void modifyTakesTheEntityTypeFromTheNewImage() {
        ChangeEvent e = decoder.decode(record("MODIFY", body()
                .oldImage(image("Draft", "NEW"))
                .newImage(image("Order", "NEW"))
                .build()));
        assertThat(e.entityType()).isEqualTo("Order");
    }

    @Test
    void removeTakesTheEntityTypeFromTheOldImage() {
        ChangeEvent e = decoder.decode(record("REMOVE", body().oldImage(image("Order", "PAID")).build()));

        assertThat(e.type()).isEqualTo(ChangeType.REMOVE);
        assertThat(e.newImage()).isEmpty();
        assertThat(e.oldImage()).contains(Item.of(image("Order", "PAID")));
        assertThat(e.entityType()).isEqualTo("Order");
        assertThat(e.latestImage().string("status")).isEqualTo("PAID");
    }

    @Test
    void entityTypeAttributeIsConfigurable() {
        Map<String, AttributeValue> img = new LinkedHashMap<>(image("Order", "NEW"));
        img.put("kind", AttributeValue.fromS("Invoice"));
        Record r = record("INSERT", body().newImage(img).build());

        assertThat(new ChangeEventDecoder("kind").decode(r).entityType()).isEqualTo("Invoice");
        assertThat(new ChangeEventDecoder("type").decode(r).entityType()).isEqualTo("Order");
        assertThat(new ChangeEventDecoder("nope").decode(r).entityType()).isEmpty();
    }

    @Test
    void missingEntityTypeIsEmpty() {
        assertThat(decoder.decode(record("INSERT", body().newImage(image(null, "NEW")).build())).entityType()).isEmpty();
        assertThat(decoder.decode(record("REMOVE", body().oldImage(image(null, "NEW")).build())).entityType()).isEmpty();
    }

    @Test
    void nonStringEntityTypeIsEmpty() {
        Map<String, AttributeValue> img = new LinkedHashMap<>(keys());
        img.put("type", AttributeValue.fromN("7"));
        assertThat(decoder.decode(record("INSERT", body().newImage(img).build())).entityType()).isEmpty();
    }

    @Test
    void imagesDescribeWhereTheyCameFrom() {
        ChangeEvent e = decoder.decode(record("MODIFY", body()
                .oldImage(image("Order", "NEW"))
                .newImage(image("Order", "PAID"))
                .build()));

        assertThatThrownBy(() -> e.newImage().orElseThrow().string("customerId"))
                .hasMessageContaining("new image of ORDER#1 | ORDER");
        assertThatThrownBy(() -> e.oldImage().orElseThrow().string("customerId"))
                .hasMessageContaining("old image of ORDER#1 | ORDER");
        assertThatThrownBy(() -> e.keys().string("customerId"))
                .hasMessageContaining("keys of ORDER#1 | ORDER");
    }

    @Test
    void numericKeysAppearInTheDescription() {
        StreamRecord b = body()
                .keys(Map.of("id", AttributeValue.fromN("42")))
                .newImage(Map.of("id", AttributeValue.fromN("42"), "type", AttributeValue.fromS("Order")))
                .build();
        ChangeEvent e = decoder.decode(record("INSERT", b));
        assertThatThrownBy(() -> e.latestImage().string("missing")).hasMessageContaining("new image of 42");
    }

    @Test
    void missingCreationTimeBecomesTheEpoch() {
        StreamRecord b = body().approximateCreationDateTime(null).newImage(image("Order", "NEW")).build();
        assertThat(decoder.decode(record("INSERT", b)).approximateCreationTime()).isEqualTo(Instant.EPOCH);
    }

    @Test
    void sequenceNumbersLongerThanALongAreKeptExactly() {
        String seq = "1234567890123456789012345678901234567890";
        ChangeEvent e = decoder.decode(record("INSERT", body().sequenceNumber(seq).newImage(image("Order", "NEW")).build()));
        assertThat(e.sequenceNumber().toString()).isEqualTo(seq);
    }

    // --- malformed records ---

    @Test
    void recordWithoutABodyIsMalformed() {
        Record r = Record.builder().eventID("evt-9").eventName("INSERT").build();
        assertThatThrownBy(() -> decoder.decode(r))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("evt-9")
                .hasMessageContaining("'dynamodb'");
    }

    @Test
    void recordWithoutASequenceNumberIsMalformed() {
        StreamRecord b = body().sequenceNumber(null).newImage(image("Order", "NEW")).build();
        assertThatThrownBy(() -> decoder.decode(record("INSERT", b)))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("evt-1")
                .hasMessageContaining("no sequence number");
    }

    @Test
    void recordWithANonNumericSequenceNumberIsMalformed() {
        StreamRecord b = body().sequenceNumber("12ab").newImage(image("Order", "NEW")).build();
        assertThatThrownBy(() -> decoder.decode(record("INSERT", b)))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("evt-1")
                .hasMessageContaining("'12ab'");
    }

    @Test
    void recordWithAnUnknownEventNameIsMalformed() {
        StreamRecord b = body().newImage(image("Order", "NEW")).build();
        assertThatThrownBy(() -> decoder.decode(record("UPSERT", b)))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("'UPSERT'")
                .hasMessageContaining(SEQ)
                .hasMessageContaining("INSERT, MODIFY or REMOVE");
    }

    @Test
    void recordWithoutAnEventNameIsMalformed() {
        Record r = Record.builder().eventID("evt-1").dynamodb(body().newImage(image("Order", "NEW")).build()).build();
        assertThatThrownBy(() -> decoder.decode(r))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining(SEQ)
                .hasMessageContaining("event name");
    }

    @Test
    void recordWithoutKeysIsMalformed() {
        StreamRecord noKeys = StreamRecord.builder().sequenceNumber(SEQ).newImage(image("Order", "NEW")).build();
        assertThatThrownBy(() -> decoder.decode(record("INSERT", noKeys)))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining(SEQ)
                .hasMessageContaining("no keys");

        StreamRecord emptyKeys = body().keys(Map.of()).newImage(image("Order", "NEW")).build();
        assertThatThrownBy(() -> decoder.decode(record("INSERT", emptyKeys)))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("no keys");
    }

    @Test
    void modifyWithoutAnOldImageIsMalformed() {
        StreamRecord b = body().newImage(image("Order", "PAID")).build();
        assertThatThrownBy(() -> decoder.decode(record("MODIFY", b)))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("MODIFY")
                .hasMessageContaining(SEQ)
                .hasMessageContaining("no old image")
                .hasMessageContaining("NEW_AND_OLD_IMAGES")
                .hasMessageContaining("ORDER#1 | ORDER");
    }

    @Test
    void insertWithoutANewImageIsMalformed() {
        assertThatThrownBy(() -> decoder.decode(record("INSERT", body().build())))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("INSERT")
                .hasMessageContaining("no new image")
                .hasMessageContaining("ORDER#1 | ORDER");
    }

    @Test
    void removeWithoutAnOldImageIsMalformed() {
        assertThatThrownBy(() -> decoder.decode(record("REMOVE", body().build())))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("REMOVE")
                .hasMessageContaining("no old image");
    }

    @Test
    void entityTypeAttributeNameMustNotBeBlank() {
        assertThatThrownBy(() -> new ChangeEventDecoder(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChangeEventDecoder(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
