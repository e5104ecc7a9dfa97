package io.projector.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.Write;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReadModelCheckTest {

    /** Counts orders per customer; forgets nothing, so a recomputation matches whatever the history. */
    private static final class Tally implements Projection {
        @Override
        public String name() {
            return "tally";
        }

        @Override
        public Set<String> entityTypes() {
            return Set.of("Order");
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            List<Write> writes = new java.util.ArrayList<>();
            event.oldImage().ifPresent(o -> writes.add(Write.increment("CUSTOMER#" + o.string("customerId"), "TALLY", "orders", -1)));
            event.newImage().ifPresent(n -> writes.add(Write.increment("CUSTOMER#" + n.string("customerId"), "TALLY", "orders", 1)));
            return writes;
        }
    }

    private static Map<String, Object> order(String id, String customer) {
        return Map.of("PK", "ORDER#" + id, "SK", "ORDER", "type", "Order", "customerId", customer);
    }

    @Test
    void theKitsReadModelMatchesTheRecomputationZeroCountersAside() {
        ProjectionTestKit kit = ProjectionTestKit.of(new Tally());
        kit.put(order("1", "c1")).put(order("2", "c1")).put(order("1", "c2"));   // c1 goes 1, 2, 1
        kit.put(order("2", "c3"));                                                // c1 falls to 0: absent
        ReadModelCheck check = ReadModelCheck.of(new Tally());
        List<Map<String, Object>> finalSource = List.of(order("1", "c2"), order("2", "c3"));

        assertThat(ReadModelCheck.comparable(kit.items())).isEqualTo(check.recomputed(finalSource));
        assertThat(check.compare(kit.items(), finalSource).matches()).isTrue();
    }

    @Test
    void aDifferenceIsNamed() {
        ProjectionTestKit kit = ProjectionTestKit.of(new Tally());
        kit.put(order("1", "c1"));
        assertThat(ReadModelCheck.of(new Tally()).compare(kit.items(), List.of(order("1", "c2"))).differences())
                .containsExactly("unexpected item CUSTOMER#c1 | TALLY: {orders=AttributeValue(N=1)}",
                        "missing item CUSTOMER#c2 | TALLY: {orders=AttributeValue(N=1)}");
    }
}
