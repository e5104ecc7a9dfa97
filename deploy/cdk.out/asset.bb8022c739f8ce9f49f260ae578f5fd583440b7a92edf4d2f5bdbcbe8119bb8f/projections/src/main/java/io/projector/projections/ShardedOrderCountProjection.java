package io.projector.projections;

import io.projector.ChangeEvent;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.Write;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * How many orders exist, as a write-sharded counter: the count is spread over N items
 *
 * <ul>
 *   <li>PK {@code STATS#ORDERS#<shard>} (shard 0..N-1), SK {@code TOTAL}: count</li>
 * </ul>
 *
 * <p>and the total is their sum ({@link ShardedCounters}). An order always counts in the same
 * shard, picked from its source key: {@code CRC32(UTF-8 of "<PK>|<SK>") mod N}. One item would be
 * one partition that every order change writes, and a partition takes at most 1,000 writes per
 * second; N items spread the writes over N partitions.
 *
 * <p>The count moves by contribution(new image) − contribution(old image), where an existing order
 * contributes 1 to its shard: an INSERT adds 1, a REMOVE takes 1 back, and a MODIFY writes nothing.
 *
 * <p>N comes from the constructor or, for the no-argument constructor (the one the runner uses),
 * from the environment variable {@value #SHARDS_VARIABLE} (default {@value #DEFAULT_SHARDS}, 1 to
 * {@value #MAX_SHARDS}). Keep N for the life of the read model: with another N, orders counted
 * before would be taken back from other shards (the sum of all shards ever written stays right,
 * each shard does not).
 */
public final class ShardedOrderCountProjection implements Projection {

    public static final String SHARDS_VARIABLE = "PROJECTOR_ORDER_COUNT_SHARDS";
    public static final int DEFAULT_SHARDS = 10;
    public static final int MAX_SHARDS = 1000;

    /** The shard items' PK is this prefix followed by the shard number. */
    public static final String KEY_PREFIX = "STATS#ORDERS#";
    public static final String SORT_KEY = "TOTAL";
    public static final String ATTRIBUTE = "count";

    private final int shards;

    /** N from {@value #SHARDS_VARIABLE}, or {@value #DEFAULT_SHARDS} when it is not set. */
    public ShardedOrderCountProjection() {
        this(shardsFrom(System.getenv(SHARDS_VARIABLE)));
    }

    public ShardedOrderCountProjection(int shards) {
        if (shards < 1 || shards > MAX_SHARDS) {
            throw new IllegalArgumentException("the order count needs 1 to " + MAX_SHARDS + " shards, was " + shards);
        }
        this.shards = shards;
    }

    /** The shard count a value of {@value #SHARDS_VARIABLE} asks for; null or blank gives the default. */
    static int shardsFrom(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_SHARDS;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= MAX_SHARDS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(SHARDS_VARIABLE + " must be a whole number from 1 to " + MAX_SHARDS + ", was '" + value + "'");
    }

    @Override
    public String name() {
        return "order-total-sharded";
    }

    @Override
    public Set<String> entityTypes() {
        return Set.of("Order");
    }

    public int shards() {
        return shards;
    }

    @Override
    public List<Write> project(ChangeEvent event) {
        Map<Integer, Integer> deltas = new LinkedHashMap<>();
        event.oldImage().ifPresent(old -> deltas.merge(shardOf(old), -1, Integer::sum));
        event.newImage().ifPresent(now -> deltas.merge(shardOf(now), +1, Integer::sum));
        List<Write> writes = new ArrayList<>(deltas.size());
        deltas.forEach((shard, delta) -> {
            if (delta != 0) {
                writes.add(Write.increment(shardKey(shard), ATTRIBUTE, delta));
            }
        });
        return writes;
    }

    /** The shard an order counts in, from its source key attributes PK and SK. */
    public int shardOf(Item order) {
        return shardOf(order.string("PK"), order.string("SK"));
    }

    /** The shard of the source item with this key: CRC32 of the UTF-8 bytes of {@code <pk>|<sk>}, mod N. */
    public int shardOf(String pk, String sk) {
        CRC32 crc = new CRC32();
        crc.update((pk + "|" + sk).getBytes(StandardCharsets.UTF_8));
        return (int) Math.floorMod(crc.getValue(), (long) shards);
    }

    /** The read-model item of one shard. */
    public static ItemKey shardKey(int shard) {
        return ItemKey.of(KEY_PREFIX + shard, SORT_KEY);
    }
}
