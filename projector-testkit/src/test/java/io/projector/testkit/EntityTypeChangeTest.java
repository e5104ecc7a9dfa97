package io.projector.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.projector.ChangeEvent;
import io.projector.ChangeType;
import io.projector.Projection;
import io.projector.Write;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An item that changes its entity type leaves the projections of the old type and joins those of the new one. */
class EntityTypeChangeTest {

    /** Counts items of one type, from images: +1 for the new image, -1 for the old one. */
    record Counter(String type) implements Projection {
        @Override
        public String name() {
            return "count-" + type;
        }

        @Override
        public Set<String> entityTypes() {
            return Set.of(type);
        }

        @Override
        public List<Write> project(ChangeEvent event) {
            int delta = (event.newImage().isPresent() ? 1 : 0) - (event.oldImage().isPresent() ? 1 : 0);
            return delta == 0 ? List.of() : List.of(Write.increment("COUNT", type, "n", delta));
        }
    }

    @Test
    void theOldTypeSeesARemoveAndTheNewTypeAnInsert() {
        ProjectionTestKit kit = ProjectionTestKit.of(new Counter("Draft"), new Counter("Order"));
        kit.put(Map.of("PK", "X#1", "SK", "X", "type", "Draft"));
        kit.put(Map.of("PK", "X#2", "SK", "X", "type", "Draft"));
        assertThat(kit.item("COUNT", "Draft").orElseThrow().longValue("n")).isEqualTo(2);

        kit.put(Map.of("PK", "X#1", "SK", "X", "type", "Order"));

        assertThat(kit.item("COUNT", "Draft").orElseThrow().longValue("n")).isEqualTo(1);
        assertThat(kit.item("COUNT", "Order").orElseThrow().longValue("n")).isEqualTo(1);
    }

    @Test
    void losingTheTypeAttributeRemovesTheItemFromItsProjections() {
        ProjectionTestKit kit = ProjectionTestKit.of(new Counter("Order"));
        kit.put(Map.of("PK", "X#1", "SK", "X", "type", "Order"));
        kit.put(Map.of("PK", "X#1", "SK", "X", "note", "no type any more"));
        assertThat(kit.item("COUNT", "Order").orElseThrow().longValue("n")).isZero();
    }

    @Test
    void aProjectionOfBothTypesSeesTheRemoveThenTheInsert() {
        Projection both = new Projection() {
            @Override
            public String name() {
                return "both";
            }

            @Override
            public Set<String> entityTypes() {
                return Set.of("Draft", "Order");
            }

            @Override
            public List<Write> project(ChangeEvent event) {
                return List.of(Write.put("LAST", "X").with("type", event.type().name()).with("entity", event.entityType()));
            }
        };
        ProjectionTestKit kit = ProjectionTestKit.of(both);
        kit.put(Map.of("PK", "X#1", "SK", "X", "type", "Draft"));
        kit.put(Map.of("PK", "X#1", "SK", "X", "type", "Order"));
        assertThat(kit.item("LAST", "X").orElseThrow().string("type")).isEqualTo(ChangeType.INSERT.name());
        assertThat(kit.item("LAST", "X").orElseThrow().string("entity")).isEqualTo("Order");
    }
}
