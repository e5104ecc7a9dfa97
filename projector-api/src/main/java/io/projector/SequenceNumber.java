package io.projector;

import java.math.BigInteger;
import java.util.Objects;

/**
 * A stream sequence number. DynamoDB gives them as decimal strings of varying length, so they are
 * compared as numbers; {@link #sortable()} gives a fixed-width form whose string order is the
 * numeric order, which is what a DynamoDB condition expression can compare.
 */
public record SequenceNumber(BigInteger value) implements Comparable<SequenceNumber> {

    /** Wide enough for any DynamoDB Streams sequence number (at most 40 digits today). */
    public static final int SORTABLE_WIDTH = 48;

    public SequenceNumber {
        Objects.requireNonNull(value, "value");
        if (value.signum() < 0) {
            throw new IllegalArgumentException("sequence number must not be negative: " + value);
        }
        if (value.toString().length() > SORTABLE_WIDTH) {
            throw new IllegalArgumentException("sequence number has more than " + SORTABLE_WIDTH + " digits: " + value);
        }
    }

    public static SequenceNumber of(long value) {
        return new SequenceNumber(BigInteger.valueOf(value));
    }

    /** Parses a decimal string; the message names the bad input. */
    public static SequenceNumber parse(String decimal) {
        if (decimal == null || decimal.isEmpty() || !decimal.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a stream sequence number (expected decimal digits): '" + decimal + "'");
        }
        return new SequenceNumber(new BigInteger(decimal));
    }

    /** Zero-padded to {@link #SORTABLE_WIDTH} digits. */
    public String sortable() {
        String digits = value.toString();
        return "0".repeat(SORTABLE_WIDTH - digits.length()) + digits;
    }

    @Override
    public int compareTo(SequenceNumber other) {
        return value.compareTo(other.value);
    }

    public boolean isAfter(SequenceNumber other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
