package io.projector.projections;

import io.projector.ChangeEvent;
import io.projector.Item;
import io.projector.Projection;
import io.projector.Write;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Counters over orders: how many orders are in each status, and per customer how many orders they
 * have and what they spent (the sum of {@code total} over orders that are not CANCELLED).
 *
 * <p>Every counter moves by contribution(new image) − contribution(old image), so a status change
 * moves one count down and another up, and a delete takes its contribution back, exactly.
 *
 * <ul>
 *   <li>PK {@code STATS#ORDERS}, SK {@code STATUS#<status>}: count</li>
 *   <li>PK {@code CUSTOMER#<customerId>}, SK {@code TOTALS}: orderCount, totalSpent</li>
 * </ul>
 */
public final class OrderCountersProjection implements Projection {

    @Override
    public String name() {
        return "order-counters";
    }

    @Override
    public Set<String> entityTypes() {
        return Set.of("Order");
    }

    @Override
    public List<Write> project(ChangeEvent event) {
        List<Write> writes = new ArrayList<>(4);
        event.oldImage().ifPresent(old -> contribute(old, -1, writes));
        event.newImage().ifPresent(now -> contribute(now, +1, writes));
        return writes;
    }

    private static void contribute(Item order, int sign, List<Write> writes) {
        String status = order.string("status");
        BigDecimal spent = "CANCELLED".equals(status) ? BigDecimal.ZERO : order.number("total");
        writes.add(Write.increment("STATS#ORDERS", "STATUS#" + status, "count", sign));
        writes.add(Write.increment("CUSTOMER#" + order.string("customerId"), "TOTALS", "orderCount", sign)
                .and("totalSpent", sign < 0 ? spent.negate() : spent));
    }
}
