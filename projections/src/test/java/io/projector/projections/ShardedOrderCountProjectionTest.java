package io.projector.projections;

import static io.projector.projections.Fixtures.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ChangeType;
import io.projector.ItemAttributeException;
import io.projector.ItemKey;
import io.projector.Write;
import io.projector.testkit.ChangeEvents;
import io.projector.testkit.ProjectionTestKit;
import io.projector.testkit.ReadModelCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardedOrderCountProjectionTest {

    private final ChangeEvents events = ChangeEvents.create();

    private static long total(ProjectionTestKit kit, int shards) {
        return ShardedCounters.sum(kit.items(), "STATS#ORDERS#", shards, "TOTAL", "count");
    }

    @Test
    void nameEntityTypesAndKeys() {
        ShardedOrderCountProjection p = new ShardedOrderCountProjection(4);
        assertThat(p.name()).isEqualTo("order-total-sharded");
        assertThat(p.entityTypes()).containsExactly("Order");
        assertThat(p.shards()).isEqualTo(4);
        assertThat(ShardedOrderCountProjection.shardKey(3)).isEqualTo(ItemKey.of("STATS#ORDERS#3", "TOTAL"));
    }

    @Test
    void ordersSpreadOverAllShardsAndTheSumCountsThem() {
        ShardedOrderCountProjection p = new ShardedOrderCountProjection(10);
        ProjectionTestKit kit = ProjectionTestKit.of(p);
        int[] expected = new int[10];
        for (int i = 1; i <= 300; i++) {
            kit.put(order("o" + i, "c" + (i % 7), "PENDING", i));
            expected[p.shardOf("ORDER#o" + i, "ORDER")]++;
        }

        assertThat(total(kit, 10)).isEqualTo(300);
        for (int shard = 0; shard < 10; shard++) {
            long count = kit.item("STATS#ORDERS#" + shard, "TOTAL").orElseThrow().longValue("count");
            assertThat(count).as("shard %d", shard).isEqualTo(expected[shard]).isBetween(10L, 60L);
        }
        assertThat(kit.items()).hasSize(10);
    }

    @Test
    void modifiesWriteNothingAndRemovesTakeTheOrderBack() {
        ShardedOrderCountProjection p = new ShardedOrderCountProjection(10);
        ProjectionTestKit kit = ProjectionTestKit.of(p);
        List<Map<String, Object>> kept = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            kit.put(order("o" + i, "c1", "PENDING", i));
        }
        for (int i = 1; i <= 50; i++) {
            kit.put(order("o" + i, "c1", "PAID", i));             // a status change: the order still exists
            if (i % 3 == 0) {
                kit.delete("ORDER#o" + i, "ORDER");
            } else {
                kept.add(order("o" + i, "c1", "PAID", i));
            }
        }

        assertThat(total(kit, 10)).isEqualTo(kept.size()).isEqualTo(34);
        assertThat(ReadModelCheck.comparable(kit.items())).isEqualTo(ReadModelCheck.of(p).recomputed(kept));
        assertThat(p.project(events.event(ChangeType.MODIFY, order("o1", "c1", "PENDING", 1), order("o1", "c2", "PAID", 9)))).isEmpty();
    }

    @Test
    void writesAreOneIncrementOfTheOrdersShard() {
        ShardedOrderCountProjection p = new ShardedOrderCountProjection(10);
        ItemKey shard = ShardedOrderCountProjection.shardKey(p.shardOf("ORDER#o1", "ORDER"));
        assertThat(p.project(events.event(ChangeType.INSERT, null, order("o1", "c1", "PAID", 5))))
                .containsExactly(Write.increment(shard, "count", 1));
        assertThat(p.project(events.event(ChangeType.REMOVE, order("o1", "c1", "PAID", 5), null)))
                .containsExactly(Write.increment(shard, "count", -1));
    }

    @Test
    void theShardIsCrc32OfTheSourceKeyModN() {
        // Pinned: a change of the hash would move every order to another shard of an existing read model.
        // CRC32("ORDER#1|ORDER") = 3325929770; CRC32("ORDER#r1-o2|ORDER") = 1115638792.
        assertThat(new ShardedOrderCountProjection(10).shardOf("ORDER#1", "ORDER")).isEqualTo(0);
        assertThat(new ShardedOrderCountProjection(7).shardOf("ORDER#1", "ORDER")).isEqualTo(2);
        assertThat(new ShardedOrderCountProjection(10).shardOf("ORDER#r1-o2", "ORDER")).isEqualTo(2);
        assertThat(new ShardedOrderCountProjection(1000).shardOf("ORDER#1", "ORDER")).isEqualTo(770);
        assertThat(new ShardedOrderCountProjection(1).shardOf("ORDER#1", "ORDER")).isZero();
    }

    @Test
    void oneShardIsAPlainCounter() {
        ProjectionTestKit kit = ProjectionTestKit.of(new ShardedOrderCountProjection(1));
        kit.batch(() -> {
            for (int i = 1; i <= 5; i++) {
                kit.put(order("o" + i, "c1", "PAID", i));
            }
            kit.delete("ORDER#o2", "ORDER");
        });
        assertThat(kit.items().keySet()).containsExactly(ItemKey.of("STATS#ORDERS#0", "TOTAL"));
        assertThat(total(kit, 1)).isEqualTo(4);
        assertThat(kit.commits()).isEqualTo(1);
    }

    @Test
    void theShardCountComesFromTheEnvironmentVariable() {
        assertThat(ShardedOrderCountProjection.shardsFrom(null)).isEqualTo(10);
        assertThat(ShardedOrderCountProjection.shardsFrom("  ")).isEqualTo(10);
        assertThat(ShardedOrderCountProjection.shardsFrom("1")).isEqualTo(1);
        assertThat(ShardedOrderCountProjection.shardsFrom(" 16 ")).isEqualTo(16);
        assertThat(ShardedOrderCountProjection.shardsFrom("1000")).isEqualTo(1000);
        for (String bad : List.of("0", "-3", "1001", "ten", "2.5")) {
            assertThatThrownBy(() -> ShardedOrderCountProjection.shardsFrom(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("PROJECTOR_ORDER_COUNT_SHARDS must be a whole number from 1 to 1000, was '" + bad + "'");
        }
        if (System.getenv("PROJECTOR_ORDER_COUNT_SHARDS") == null) {
            assertThat(new ShardedOrderCountProjection().shards()).isEqualTo(10);
        }
    }

    @Test
    void theConstructorRefusesShardCountsOutOfRange() {
        assertThatThrownBy(() -> new ShardedOrderCountProjection(0)).hasMessageContaining("1 to 1000").hasMessageContaining("was 0");
        assertThatThrownBy(() -> new ShardedOrderCountProjection(1001)).hasMessageContaining("was 1001");
    }

    @Test
    void anOrderWithANonStringKeyIsRefusedNamingTheAttribute() {
        Map<String, Object> bad = order("o1", "c1", "PAID", 1);
        bad.put("PK", 17);
        assertThatThrownBy(() -> new ShardedOrderCountProjection(3).project(events.event(ChangeType.INSERT, null, bad)))
                .isInstanceOf(ItemAttributeException.class).hasMessageContaining("'PK'").hasMessageContaining("a number (N)");
    }
}
