package io.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SequenceNumberTest {

    private static final String DIGITS_21 = "100000000000000000001";
    private static final String DIGITS_40 = "9999999999999999999999999999999999999999";

    @Test
    void comparesAsNumbersNotAsStrings() {
        SequenceNumber nine = SequenceNumber.parse("9");
        SequenceNumber ten = SequenceNumber.parse("10");

        assertThat("9".compareTo("10")).as("as strings, 9 sorts after 10").isPositive();
        assertThat(nine).isLessThan(ten);
        assertThat(ten.isAfter(nine)).isTrue();
        assertThat(nine.isAfter(ten)).isFalse();
    }

    @Test
    void handlesValuesBeyondLong() {
        SequenceNumber longMax = SequenceNumber.of(Long.MAX_VALUE);
        SequenceNumber d21 = SequenceNumber.parse(DIGITS_21);
        SequenceNumber d40 = SequenceNumber.parse(DIGITS_40);

        assertThat(d21.value()).isEqualTo(new BigInteger(DIGITS_21));
        assertThat(d40.toString()).isEqualTo(DIGITS_40);
        assertThat(longMax).isLessThan(d21);
        assertThat(d21).isLessThan(d40);
        // "9" > "1000..." as strings, but not as numbers
        assertThat(SequenceNumber.parse("9")).isLessThan(d21);
    }

    @Test
    void equalValuesCompareEqualWhateverTheLeadingZeros() {
        SequenceNumber padded = SequenceNumber.parse("000123");
        assertThat(padded).isEqualTo(SequenceNumber.of(123));
        assertThat(padded.compareTo(SequenceNumber.of(123))).isZero();
        assertThat(padded.isAfter(SequenceNumber.of(123))).isFalse();
    }

    @Test
    void sortableIsZeroPaddedToFixedWidth() {
        assertThat(SequenceNumber.of(42).sortable())
                .hasSize(SequenceNumber.SORTABLE_WIDTH)
                .endsWith("42")
                .matches("0+42");
        assertThat(SequenceNumber.parse(DIGITS_40).sortable()).hasSize(SequenceNumber.SORTABLE_WIDTH).endsWith(DIGITS_40);
        assertThat(SequenceNumber.of(0).sortable()).isEqualTo("0".repeat(SequenceNumber.SORTABLE_WIDTH));
    }

    @Test
    void sortableOrdersAsTheNumbersDo() {
        assertThat(SequenceNumber.parse("9").sortable()).isLessThan(SequenceNumber.parse("10").sortable());
        assertThat(SequenceNumber.parse(DIGITS_21).sortable()).isLessThan(SequenceNumber.parse(DIGITS_40).sortable());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-5", "12a", "1.5", " 12", "12 ", "+7", "1e3", "０１"})
    void parseRejectsNonDigitsWithAMessageNamingTheInput(String input) {
        assertThatThrownBy(() -> SequenceNumber.parse(input))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + input + "'");
    }

    @Test
    void parseRejectsNull() {
        assertThatThrownBy(() -> SequenceNumber.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'null'");
    }

    @Test
    void rejectsNegativeValues() {
        assertThatThrownBy(() -> SequenceNumber.of(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative")
                .hasMessageContaining("-1");
    }

    @Test
    void rejectsValuesWiderThanTheSortableForm() {
        String tooWide = "1" + "0".repeat(SequenceNumber.SORTABLE_WIDTH);
        assertThatThrownBy(() -> SequenceNumber.parse(tooWide))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(tooWide);
        assertThat(SequenceNumber.parse("9".repeat(SequenceNumber.SORTABLE_WIDTH)).sortable())
                .isEqualTo("9".repeat(SequenceNumber.SORTABLE_WIDTH));
    }

    @Property(tries = 200)
    void sortableStringOrderIsNumericOrder(@ForAll("upTo40Digits") BigInteger a, @ForAll("upTo40Digits") BigInteger b) {
        SequenceNumber x = new SequenceNumber(a);
        SequenceNumber y = new SequenceNumber(b);
        assertThat(Integer.signum(x.sortable().compareTo(y.sortable()))).isEqualTo(a.compareTo(b));
        assertThat(Integer.signum(x.compareTo(y))).isEqualTo(a.compareTo(b));
        assertThat(x.sortable()).hasSize(SequenceNumber.SORTABLE_WIDTH);
    }

    @Property(tries = 200)
    void parseRoundTripsDecimalStrings(@ForAll("upTo40Digits") BigInteger a) {
        SequenceNumber parsed = SequenceNumber.parse(a.toString());
        assertThat(parsed.value()).isEqualTo(a);
        assertThat(SequenceNumber.parse(parsed.sortable())).isEqualTo(parsed);
    }

    @Property(tries = 100)
    void sortingBySortableEqualsSortingByValue(@ForAll("lists") List<BigInteger> values) {
        List<SequenceNumber> byString = new ArrayList<>(values.stream().map(SequenceNumber::new).toList());
        byString.sort(Comparator.comparing(SequenceNumber::sortable));
        List<SequenceNumber> byValue = new ArrayList<>(values.stream().map(SequenceNumber::new).toList());
        byValue.sort(Comparator.naturalOrder());
        assertThat(byString).isEqualTo(byValue);
    }

    /** Numbers of 1 to 40 digits, the number of digits drawn uniformly so that short and long ones mix. */
    @Provide
    Arbitrary<BigInteger> upTo40Digits() {
        Arbitrary<Integer> digits = Arbitraries.integers().between(1, 40);
        return digits.flatMap(n -> Arbitraries.bigIntegers()
                .between(n == 1 ? BigInteger.ZERO : BigInteger.TEN.pow(n - 1), BigInteger.TEN.pow(n).subtract(BigInteger.ONE)));
    }

    @Provide
    Arbitrary<List<BigInteger>> lists() {
        return upTo40Digits().list().ofMinSize(2).ofMaxSize(20);
    }
}
