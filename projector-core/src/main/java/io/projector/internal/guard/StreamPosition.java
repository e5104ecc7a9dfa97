package io.projector.internal.guard;

import java.math.BigInteger;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a change sits in its source item's history: the creation time of its stream shard, then
 * its sequence number. A source item's changes all travel one shard lineage (parent before child,
 * a child created after its parent), so this order is the item's order across rollovers, which a
 * sequence number alone is not promised to be.
 */
public record StreamPosition(long shardCreatedMillis, BigInteger sequence) implements Comparable<StreamPosition> {

    /** DynamoDB Streams shard ids carry their creation time in milliseconds: {@code shardId-00000001796085584262-86b1daf3}. */
    private static final Pattern SHARD_ID = Pattern.compile("shardId-(\\d{1,20})-[0-9a-fA-F]+");

    private static final int SEQUENCE_DIGITS = 40;

    private static final Comparator<StreamPosition> ORDER =
            Comparator.comparingLong(StreamPosition::shardCreatedMillis).thenComparing(StreamPosition::sequence);

    public StreamPosition {
        if (shardCreatedMillis < 0 || sequence == null || sequence.signum() < 0) {
            throw new IllegalArgumentException("a stream position needs a shard time >= 0 and a sequence number >= 0");
        }
        encoded(sequence);
    }

    /**
     * @throws IllegalArgumentException if the shard id does not carry its creation time (the engine
     *     then guards copies by the source item's version attribute instead) or the sequence number
     *     is not a decimal number
     */
    public static StreamPosition of(String shardId, String sequenceNumber) {
        return new StreamPosition(creationMillisOf(shardId), sequence(sequenceNumber));
    }

    /** Whether the shard id carries its creation time, so that positions on it can be made. */
    public static boolean carriesTime(String shardId) {
        return SHARD_ID.matcher(shardId).matches();
    }

    /** @throws IllegalArgumentException if the shard id does not carry its creation time */
    static long creationMillisOf(String shardId) {
        Matcher m = SHARD_ID.matcher(shardId);
        if (!m.matches()) {
            throw new IllegalArgumentException("shard id '" + shardId + "' does not carry its creation time (shardId-<millis>-<hex>)");
        }
        return Long.parseLong(m.group(1));
    }

    static BigInteger sequence(String sequenceNumber) {
        try {
            return new BigInteger(sequenceNumber);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sequence number '" + sequenceNumber + "' is not a decimal number", e);
        }
    }

    /**
     * A string whose lexicographic order is this order, so that a DynamoDB condition ({@code <} on
     * strings) compares positions: 20 digits of shard time, a dot, 40 digits of sequence number
     * (DynamoDB Streams' longest).
     */
    public String encoded() {
        return String.format("%020d.%s", shardCreatedMillis, encoded(sequence));
    }

    /** A sequence number as 40 digits, so that DynamoDB's string order is their order. */
    static String encoded(BigInteger sequence) {
        String digits = sequence.toString();
        if (digits.length() > SEQUENCE_DIGITS) {
            throw new IllegalArgumentException("sequence number " + digits + " is longer than DynamoDB Streams' " + SEQUENCE_DIGITS + " digits");
        }
        return "0".repeat(SEQUENCE_DIGITS - digits.length()) + digits;
    }

    @Override
    public int compareTo(StreamPosition other) {
        return ORDER.compare(this, other);
    }
}
