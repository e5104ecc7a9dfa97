package io.projector.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Item;
import io.projector.ItemKey;
import io.projector.Write;
import io.projector.testkit.ChangeEvents;
import io.projector.testkit.ProjectionTestKit;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrderHistoryProjectionTest {

    private final ChangeEvents events = ChangeEvents.create();

    private final ProjectionTestKit kit = ProjectionTestKit.of(new OrderHistoryProjection());

    // --- customers ---------------------------------------------------------------------------

    @Test
    void customerInsertUpdateDelete() {
        kit.put(customer("c1", "Ada", "ada@example.com"));
        assertThat(kit.item("CUSTOMER#c1", "PROFILE")).hasValueSatisfying(p -> {
            assertThat(p.string("name")).isEqualTo("Ada");
            assertThat(p.string("email")).isEqualTo("ada@example.com");
        });

        kit.put(customer("c1", "Ada Lovelace", "ada@example.org"));
        assertThat(kit.item("CUSTOMER#c1", "PROFILE")).hasValueSatisfying(p -> {
            assertThat(p.string("name")).isEqualTo("Ada Lovelace");
            assertThat(p.string("email")).isEqualTo("ada@example.org");
        });

        kit.delete("CUSTOMER#c1", "PROFILE");
        assertThat(kit.items()).isEmpty();
    }

    // --- orders ------------------------------------------------------------------------------

    @Test
    void orderInsertWritesCopyWithIndexKeys() {
        kit.put(order("o1", "c1", "2024-03-05", "PENDING", "99.50"));

        Item o = kit.item("CUSTOMER#c1", "ORDER#2024-03-05#o1").orElseThrow();
        assertThat(o.string("orderId")).isEqualTo("o1");
        assertThat(o.string("customerId")).isEqualTo("c1");
        assertThat(o.string("orderDate")).isEqualTo("2024-03-05");
        assertThat(o.string("status")).isEqualTo("PENDING");
        assertThat(o.number("total")).isEqualByComparingTo("99.5");
        assertThat(o.string("GSI1PK")).isEqualTo("STATUS#PENDING");
        assertThat(o.string("GSI1SK")).isEqualTo("2024-03-05#o1");
        assertThat(o.string("GSI2PK")).isEqualTo("ORDER#o1");
        assertThat(o.string("GSI2SK")).isEqualTo("ORDER");
        assertThat(o.has("PK")).isFalse();
        assertThat(o.has("SK")).isFalse();
        assertThat(kit.items()).hasSize(1);
    }

    @Test
    void statusChangeMovesStatusIndexKey() {
        kit.put(order("o1", "c1", "2024-03-05", "PENDING", "10"));
        kit.put(order("o1", "c1", "2024-03-05", "SHIPPED", "10"));

        Item o = kit.item("CUSTOMER#c1", "ORDER#2024-03-05#o1").orElseThrow();
        assertThat(o.string("status")).isEqualTo("SHIPPED");
        assertThat(o.string("GSI1PK")).isEqualTo("STATUS#SHIPPED");
        assertThat(o.string("GSI1SK")).isEqualTo("2024-03-05#o1");
        assertThat(kit.items()).hasSize(1);
    }

    @Test
    void orderDeleteRemovesCopy() {
        kit.put(order("o1", "c1", "2024-03-05", "PAID", "10"));
        kit.delete("ORDER#o1", "ORDER");
        assertThat(kit.items()).isEmpty();
    }

    @Test
    void orderDateChangeMovesOrder() {
        kit.put(order("o1", "c1", "2024-03-05", "PAID", "10"));
        kit.put(order("o1", "c1", "2024-03-07", "PAID", "10"));

        assertThat(kit.item("CUSTOMER#c1", "ORDER#2024-03-05#o1")).isEmpty();
        assertThat(kit.item("CUSTOMER#c1", "ORDER#2024-03-07#o1")).hasValueSatisfying(o -> {
            assertThat(o.string("orderDate")).isEqualTo("2024-03-07");
            assertThat(o.string("GSI1SK")).isEqualTo("2024-03-07#o1");
        });
        assertThat(kit.items()).hasSize(1);
    }

    @Test
    void customerChangeMovesOrderToOtherCollection() {
        kit.put(order("o1", "c1", "2024-03-05", "PAID", "10"));
        kit.put(order("o1", "c2", "2024-03-05", "PAID", "10"));

        assertThat(kit.query("CUSTOMER#c1")).isEmpty();
        assertThat(kit.item("CUSTOMER#c2", "ORDER#2024-03-05#o1")).isPresent();
        assertThat(kit.items()).hasSize(1);
    }

    @Test
    void orderRemoveLeavesItsLines() {
        kit.put(order("o1", "c1", "2024-03-05", "PAID", "30"));
        kit.put(line("o1", 1, "c1", "2024-03-05", "pen", 2, "5"));
        kit.put(line("o1", 2, "c1", "2024-03-05", "ink", 1, "20"));

        kit.delete("ORDER#o1", "ORDER");

        // Lines are source items of their own; only their own REMOVEs delete their copies.
        assertThat(kit.item("CUSTOMER#c1", "ORDER#2024-03-05#o1")).isEmpty();
        assertThat(kit.items().keySet()).containsExactly(
                ItemKey.of("CUSTOMER#c1", "ORDER#2024-03-05#o1#ITEM#1"),
                ItemKey.of("CUSTOMER#c1", "ORDER#2024-03-05#o1#ITEM#2"));
    }

    // --- order lines -------------------------------------------------------------------------

    @Test
    void lineInsertModifyRemove() {
        kit.put(line("o1", 1, "c1", "2024-03-05", "pen", 2, "1.25"));
        Item l = kit.item("CUSTOMER#c1", "ORDER#2024-03-05#o1#ITEM#1").orElseThrow();
        assertThat(l.string("orderId")).isEqualTo("o1");
        assertThat(l.string("product")).isEqualTo("pen");
        assertThat(l.intValue("qty")).isEqualTo(2);
        assertThat(l.number("price")).isEqualByComparingTo("1.25");
        assertThat(l.has("GSI1PK")).isFalse();
        assertThat(l.has("GSI2PK")).isFalse();

        kit.put(line("o1", 1, "c1", "2024-03-05", "pen", 3, "1.25"));
        assertThat(kit.item("CUSTOMER#c1", "ORDER#2024-03-05#o1#ITEM#1").orElseThrow().intValue("qty")).isEqualTo(3);
        assertThat(kit.items()).hasSize(1);

        kit.delete("ORDER#o1", "ITEM#1");
        assertThat(kit.items()).isEmpty();
    }

    @Test
    void lineDateChangeMovesLine() {
        kit.put(line("o1", 1, "c1", "2024-03-05", "pen", 2, "1"));
        kit.put(line("o1", 1, "c1", "2024-03-07", "pen", 2, "1"));

        assertThat(kit.items().keySet()).containsExactly(ItemKey.of("CUSTOMER#c1", "ORDER#2024-03-07#o1#ITEM#1"));
    }

    @Test
    void customerCollectionHoldsProfileOrdersAndLinesInOrder() {
        kit.put(customer("c1", "Ada", "ada@example.com"));
        kit.put(order("o2", "c1", "2024-04-01", "PENDING", "5"));
        kit.put(line("o2", 1, "c1", "2024-04-01", "pad", 1, "5"));
        kit.put(order("o1", "c1", "2024-03-05", "PAID", "10"));
        kit.put(line("o1", 1, "c1", "2024-03-05", "pen", 2, "5"));
        kit.put(order("o3", "c2", "2024-03-06", "PAID", "1"));

        // Lines sort right after their order; the profile sorts after every ORDER# item.
        assertThat(kit.items().keySet().stream().filter(k -> k.pk().equals("CUSTOMER#c1")).map(ItemKey::sk)).containsExactly(
                "ORDER#2024-03-05#o1",
                "ORDER#2024-03-05#o1#ITEM#1",
                "ORDER#2024-04-01#o2",
                "ORDER#2024-04-01#o2#ITEM#1",
                "PROFILE");
    }

    // --- malformed source items --------------------------------------------------------------

    @Test
    void orderWithoutStatusIsRefusedNamingTheAttribute() {
        Map<String, Object> bad = order("o1", "c1", "2024-03-05", "PAID", "10");
        bad.remove("status");

        assertThatThrownBy(() -> kit.put(bad))
                .hasMessageContaining("order-history")
                .hasMessageContaining("'status'")
                .hasMessageContaining("missing");
        assertThat(kit.items()).isEmpty();
    }

    @Test
    void orderWithTextTotalIsRefusedNamingTheAttribute() {
        Map<String, Object> bad = order("o1", "c1", "2024-03-05", "PAID", "10");
        bad.put("total", "ten");

        assertThatThrownBy(() -> kit.put(bad))
                .hasMessageContaining("'total'")
                .hasMessageContaining("a string (S)")
                .hasMessageContaining("expected a number (N)");
    }

    @Test
    void orderWithBadDateIsRefusedNamingTheAttribute() {
        assertThatThrownBy(() -> kit.put(order("o1", "c1", "5/3/2024", "PAID", "10")))
                .hasMessageContaining("'orderDate'")
                .hasMessageContaining("5/3/2024")
                .hasMessageContaining("yyyy-MM-dd");
    }

    @Test
    void removeOfOrderWithBrokenNonKeyAttributesStillDeletesItsCopy() {
        kit.put(order("o1", "c1", "2024-03-05", "PAID", "10"));
        Map<String, Object> broken = order("o1", "c1", "2024-03-05", "PAID", "10");
        broken.remove("status");
        broken.put("total", "ten");

        kit.apply(events.event(ChangeType.REMOVE, broken, null));

        assertThat(kit.items()).isEmpty();
    }

    // --- batching ----------------------------------------------------------------------------

    @Test
    void statusChangesInOneBatchCoalesceIntoOneCommit() {
        kit.batch(() -> {
            kit.put(order("o1", "c1", "2024-03-05", "PENDING", "10"));
            for (String status : List.of("PAID", "CANCELLED", "PENDING", "PAID", "SHIPPED")) {
                kit.put(order("o1", "c1", "2024-03-05", status, "10"));
            }
        });

        assertThat(kit.commits()).isEqualTo(1);
        assertThat(kit.items()).hasSize(1);
        Item o = kit.item("CUSTOMER#c1", "ORDER#2024-03-05#o1").orElseThrow();
        assertThat(o.string("status")).isEqualTo("SHIPPED");
        assertThat(o.string("GSI1PK")).isEqualTo("STATUS#SHIPPED");
    }

    @Test
    void dateChangesInOneBatchLeaveOnlyTheLastKey() {
        kit.batch(() -> {
            kit.put(order("o1", "c1", "2024-03-05", "PAID", "10"));
            kit.put(order("o1", "c1", "2024-03-06", "PAID", "10"));
            kit.put(order("o1", "c1", "2024-03-05", "PAID", "10"));
            kit.put(order("o1", "c1", "2024-03-07", "PAID", "10"));
        });

        assertThat(kit.commits()).isEqualTo(1);
        assertThat(kit.items().keySet()).containsExactly(ItemKey.of("CUSTOMER#c1", "ORDER#2024-03-07#o1"));
    }

    // --- the projection itself ---------------------------------------------------------------

    @Test
    void projectIsDeterministicAndEmitsDeleteOnlyWhenTheKeyMoves() {
        OrderHistoryProjection p = new OrderHistoryProjection();
        assertThat(p.name()).isEqualTo("order-history");
        assertThat(p.entityTypes()).containsExactlyInAnyOrder("Customer", "Order", "OrderItem");

        ChangeEvent statusOnly = events.event(ChangeType.MODIFY,
                order("o1", "c1", "2024-03-05", "PENDING", "10"), order("o1", "c1", "2024-03-05", "PAID", "10"));
        assertThat(p.project(statusOnly)).isEqualTo(p.project(statusOnly)).singleElement().isInstanceOf(Write.Put.class);

        ChangeEvent moved = events.event(ChangeType.MODIFY,
                order("o1", "c1", "2024-03-05", "PAID", "10"), order("o1", "c1", "2024-03-06", "PAID", "10"));
        List<Write> writes = p.project(moved);
        assertThat(writes).hasSize(2);
        assertThat(writes.get(0)).isEqualTo(Write.delete("CUSTOMER#c1", "ORDER#2024-03-05#o1"));
        assertThat(writes.get(1)).isInstanceOf(Write.Put.class);
        assertThat(writes.get(1).key()).isEqualTo(ItemKey.of("CUSTOMER#c1", "ORDER#2024-03-06#o1"));
    }

    // --- source items ------------------------------------------------------------------------

    private static Map<String, Object> customer(String id, String name, String email) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("PK", "CUSTOMER#" + id);
        m.put("SK", "PROFILE");
        m.put("type", "Customer");
        m.put("name", name);
        m.put("email", email);
        return m;
    }

    private static Map<String, Object> order(String id, String customerId, String date, String status, String total) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("PK", "ORDER#" + id);
        m.put("SK", "ORDER");
        m.put("type", "Order");
        m.put("customerId", customerId);
        m.put("orderDate", date);
        m.put("status", status);
        m.put("total", new BigDecimal(total));
        return m;
    }

    private static Map<String, Object> line(String orderId, int n, String customerId, String date, String product, int qty, String price) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("PK", "ORDER#" + orderId);
        m.put("SK", "ITEM#" + n);
        m.put("type", "OrderItem");
        m.put("customerId", customerId);
        m.put("orderDate", date);
        m.put("product", product);
        m.put("qty", qty);
        m.put("price", new BigDecimal(price));
        return m;
    }
}
