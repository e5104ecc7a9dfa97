package io.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ItemTest {

    private static final String WHERE = "new image of ORDER#1 | ORDER";

    private static Item order() {
        Map<String, AttributeValue> m = new LinkedHashMap<>();
        m.put("PK", AttributeValue.fromS("ORDER#1"));
        m.put("status", AttributeValue.fromS("PAID"));
        m.put("total", AttributeValue.fromN("12.50"));
        m.put("lines", AttributeValue.fromN("3"));
        m.put("huge", AttributeValue.fromN("9223372036854775808")); // Long.MAX_VALUE + 1
        m.put("big", AttributeValue.fromN("3000000000"));
        m.put("fraction", AttributeValue.fromN("1.5"));
        m.put("paid", AttributeValue.fromBool(true));
        m.put("blob", AttributeValue.fromB(SdkBytes.fromUtf8String("xyz")));
        m.put("tags", AttributeValue.fromSs(List.of("a", "b")));
        m.put("sizes", AttributeValue.fromNs(List.of("1", "2.50", "10")));
        m.put("items", AttributeValue.fromL(List.of(AttributeValue.fromS("x"), AttributeValue.fromN("1"))));
        m.put("address", AttributeValue.fromM(Map.of(
                "city", AttributeValue.fromS("Oslo"),
                "geo", AttributeValue.fromM(Map.of("lat", AttributeValue.fromN("59.9"))))));
        m.put("note", AttributeValue.fromNul(true));
        m.put("bad", AttributeValue.fromN("not-a-number"));
        return Item.of(m, WHERE);
    }

    @Test
    void typedGettersReturnTheValues() {
        Item item = order();
        assertThat(item.string("status")).isEqualTo("PAID");
        assertThat(item.number("total")).isEqualByComparingTo("12.5");
        assertThat(item.longValue("lines")).isEqualTo(3L);
        assertThat(item.intValue("lines")).isEqualTo(3);
        assertThat(item.longValue("big")).isEqualTo(3_000_000_000L);
        assertThat(item.bool("paid")).isTrue();
        assertThat(item.binary("blob").asUtf8String()).isEqualTo("xyz");
        assertThat(item.stringSet("tags")).containsExactly("a", "b");
        assertThat(item.list("items")).containsExactly(AttributeValue.fromS("x"), AttributeValue.fromN("1"));
        assertThat(item.map("address").string("city")).isEqualTo("Oslo");
        assertThat(item.map("address").map("geo").number("lat")).isEqualByComparingTo("59.9");
    }

    @Test
    void optionalGettersAreEmptyForMissingAndNullAttributes() {
        Item item = order();
        assertThat(item.optString("status")).contains("PAID");
        assertThat(item.optString("nope")).isEmpty();
        assertThat(item.optString("note")).as("a NULL attribute counts as absent").isEmpty();
        assertThat(item.optNumber("total")).hasValueSatisfying(n -> assertThat(n).isEqualByComparingTo("12.5"));
        assertThat(item.optNumber("nope")).isEmpty();
        assertThat(item.has("status")).isTrue();
        assertThat(item.has("note")).isFalse();
        assertThat(item.has("nope")).isFalse();
    }

    @Test
    void optionalGetterStillRejectsAWrongType() {
        assertThatThrownBy(() -> order().optNumber("status"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("'status'")
                .hasMessageContaining("a string (S)");
    }

    @Test
    void missingAttributeNamesTheAttributeAndWhere() {
        assertThatThrownBy(() -> order().string("customerId"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("'customerId'")
                .hasMessageContaining("missing")
                .hasMessageContaining(WHERE);
    }

    @Test
    void wrongTypeNamesTheAttributeTheTypeFoundTheTypeExpectedAndWhere() {
        assertThatThrownBy(() -> order().number("status"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("'status'")
                .hasMessageContaining("is a string (S)")
                .hasMessageContaining("expected a number (N)")
                .hasMessageContaining(WHERE);
        assertThatThrownBy(() -> order().string("total"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("'total'")
                .hasMessageContaining("is a number (N)")
                .hasMessageContaining("expected a string (S)");
        assertThatThrownBy(() -> order().bool("note"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("'note'")
                .hasMessageContaining("null (NULL)");
        assertThatThrownBy(() -> order().stringSet("sizes"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("'sizes'")
                .hasMessageContaining("a number set (NS)")
                .hasMessageContaining("expected a string set (SS)");
        assertThatThrownBy(() -> order().map("items"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("'items'")
                .hasMessageContaining("a list (L)")
                .hasMessageContaining("expected a map (M)");
    }

    @Test
    void invalidNumberTextIsReportedWithTheAttribute() {
        assertThatThrownBy(() -> order().number("bad"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("'bad'")
                .hasMessageContaining("not-a-number")
                .hasMessageContaining(WHERE);
    }

    @Test
    void longValueRejectsOverflowAndFractions() {
        assertThatThrownBy(() -> order().longValue("huge"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("'huge'")
                .hasMessageContaining("9223372036854775808")
                .hasMessageContaining("64-bit");
        assertThatThrownBy(() -> order().longValue("fraction"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("'fraction'")
                .hasMessageContaining("1.5");
    }

    @Test
    void longValueAcceptsWholeNumbersWrittenWithDecimals() {
        Item item = Item.of(Map.of("n", AttributeValue.fromN("12.000"), "max", AttributeValue.fromN("9223372036854775807")));
        assertThat(item.longValue("n")).isEqualTo(12L);
        assertThat(item.longValue("max")).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void intValueRejectsValuesBeyond32Bits() {
        assertThatThrownBy(() -> order().intValue("big"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("'big'")
                .hasMessageContaining("3000000000")
                .hasMessageContaining("32-bit");
    }

    @Test
    void numberSetParsesEveryMember() {
        assertThat(order().numberSet("sizes"))
                .hasSize(3)
                .anySatisfy(n -> assertThat(n).isEqualByComparingTo("1"))
                .anySatisfy(n -> assertThat(n).isEqualByComparingTo("2.5"))
                .anySatisfy(n -> assertThat(n).isEqualByComparingTo("10"));
    }

    @Test
    void numberSetOfAnotherTypeIsRejected() {
        assertThatThrownBy(() -> order().numberSet("tags"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("'tags'")
                .hasMessageContaining("a string set (SS)")
                .hasMessageContaining("expected a number set (NS)");
    }

    @Test
    void nestedMapErrorsSayWhichMapAndWhichItem() {
        Item address = order().map("address");
        assertThatThrownBy(() -> address.string("zip"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("attribute 'zip' of 'address' of " + WHERE);
        assertThatThrownBy(() -> address.map("geo").string("lat"))
                .isInstanceOf(ItemAttributeException.class)
                .hasMessageContaining("attribute 'lat' of 'geo' of 'address' of " + WHERE)
                .hasMessageContaining("a number (N)");
    }

    @Test
    void viewsAreReadOnly() {
        Item item = order();
        assertThatThrownBy(() -> item.asMap().put("x", AttributeValue.fromS("y"))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> item.stringSet("tags").add("c")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> item.numberSet("sizes").add(BigDecimal.ONE)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void itemIsACopyOfTheMapItWasBuiltFrom() {
        Map<String, AttributeValue> source = new LinkedHashMap<>();
        source.put("a", AttributeValue.fromS("1"));
        Item item = Item.of(source, WHERE);
        source.put("a", AttributeValue.fromS("changed"));
        assertThat(item.string("a")).isEqualTo("1");
    }

    @Test
    void equalityIgnoresWhereTheItemCameFrom() {
        Map<String, AttributeValue> m = Map.of("a", AttributeValue.fromS("1"));
        assertThat(Item.of(m, "old image")).isEqualTo(Item.of(m, "new image")).hasSameHashCodeAs(Item.of(m, "x"));
        assertThat(Item.of(m)).isNotEqualTo(Item.of(Map.of("a", AttributeValue.fromS("2"))));
        assertThat(Item.of(m, WHERE).toString()).contains(WHERE);
    }
}
