package com.example.ordertally;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.projector.Item;
import io.projector.ProjectionFailedException;
import io.projector.Write;
import io.projector.testkit.ChangeEvents;
import io.projector.testkit.ProjectionTestKit;
import io.projector.testkit.ReadModelCheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Through the test kit: the engine's own planner, DynamoDB's semantics, no database. */
class OrderTallyProjectionTest {

    private final ProjectionTestKit kit = ProjectionTestKit.of(new OrderTallyProjection());

    private static Map<String, Object> order(String id, String customer, String status, int total) {
        return Map.of("PK", "ORDER#" + id, "SK", "ORDER", "type", "Order",
                "customerId", customer, "status", status, "total", total);
    }

    private void assertTally(String customer, long orders, String spent) {
        Item tally = kit.item("CUSTOMER#" + customer, "TALLY").orElseThrow();
        assertThat(tally.longValue("orders")).as("orders of " + customer).isEqualTo(orders);
        assertThat(tally.number("spent")).as("spent by " + customer).isEqualByComparingTo(spent);
    }

    @Test
    void aModifyMovesTheTallyByTheDifferenceAndACancelledOrderCostsNothing() {
        kit.put(order("1", "c1", "PENDING", 30));
        kit.put(order("1", "c1", "PAID", 45));          // a MODIFY with both images
        assertTally("c1", 1, "45");

        kit.put(order("1", "c1", "CANCELLED", 45));
        assertTally("c1", 1, "0");
    }

    @Test
    void anOrderCountsAndItsTotalIsSpent() {
        kit.put(order("1", "c1", "PENDING", 30));
        assertTally("c1", 1, "30");
    }

    @Test
    void anOrderMovedToAnotherCustomerLeavesTheFirstTally() {
        kit.put(order("1", "c1", "PAID", 30));
        kit.put(order("1", "c2", "PAID", 30));
        assertTally("c1", 0, "0");
        assertTally("c2", 1, "30");
    }

    @Test
    void aDeleteTakesItsContributionBack() {
        kit.put(order("1", "c1", "PAID", 30));
        kit.put(order("2", "c1", "PAID", 12));
        kit.delete("ORDER#1", "ORDER");
        assertTally("c1", 1, "12");
    }

    @Test
    void oneStreamBatchIsOneTransactionWithTheIncrementsAdded() {
        kit.batch(() -> {
            kit.put(order("1", "c1", "PAID", 30));
            kit.put(order("2", "c1", "PAID", 12));
            kit.put(order("2", "c1", "SHIPPED", 12));
        });
        assertThat(kit.commits()).isEqualTo(1);
        assertTally("c1", 2, "42");
    }

    @Test
    void aStreamRecordCopiedFromALogBecomesATest() {
        kit.put(order("1", "c1", "PAID", 30));
        kit.applyJson("""
                {"eventName": "MODIFY",
                 "dynamodb": {"Keys": {"PK": {"S": "ORDER#1"}, "SK": {"S": "ORDER"}},
                              "OldImage": {"PK": {"S": "ORDER#1"}, "SK": {"S": "ORDER"}, "type": {"S": "Order"},
                                           "customerId": {"S": "c1"}, "status": {"S": "PAID"}, "total": {"N": "30"}},
                              "NewImage": {"PK": {"S": "ORDER#1"}, "SK": {"S": "ORDER"}, "type": {"S": "Order"},
                                           "customerId": {"S": "c1"}, "status": {"S": "CANCELLED"}, "total": {"N": "30"}}}}
                """);
        assertTally("c1", 1, "0");
    }

    @Test
    void anOrderWithoutATotalFailsNamingTheProjectionAndTheAttribute() {
        assertThatThrownBy(() -> kit.put(Map.of("PK", "ORDER#1", "SK", "ORDER", "type", "Order",
                "customerId", "c1", "status", "PAID")))
                .isInstanceOf(ProjectionFailedException.class)
                .hasMessageContaining("order-tally").hasMessageContaining("attribute 'total'").hasMessageContaining("is missing");
    }

    @Test
    void aHandMadeEventAndTheRecomputationCheck() {
        ChangeEvents events = ChangeEvents.create();             // PK, SK, type; sequence numbers from 1
        List<Write> writes = new OrderTallyProjection().project(events.insert(order("1", "c1", "PAID", 30)));
        assertThat(writes).hasSize(1);

        kit.put(order("1", "c1", "PAID", 30));
        kit.put(order("2", "c1", "PAID", 12));
        kit.apply(events.remove(order("2", "c1", "PAID", 12)));  // a REMOVE made by hand, past the kit's copy of the source
        List<Map<String, Object>> finalSource = List.of(order("1", "c1", "PAID", 30));
        assertThat(ReadModelCheck.comparable(kit.items()))
                .isEqualTo(ReadModelCheck.of(new OrderTallyProjection()).recomputed(finalSource));
    }

    @Test
    void otherEntityTypesAreNotTallied() {
        kit.put(Map.of("PK", "CUSTOMER#c1", "SK", "PROFILE", "type", "Customer", "name", "Ann"));
        assertThat(kit.items()).isEmpty();
    }
}
