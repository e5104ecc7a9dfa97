package com.example.ordertally;

import io.projector.ChangeEvent;
import io.projector.Item;
import io.projector.Projection;
import io.projector.Write;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Per customer, how many orders they placed and what they spent: PK CUSTOMER#<customerId>, SK TALLY. */
public final class OrderTallyProjection implements Projection {   // public, with a public no-arg constructor

    @Override
    public String name() {
        return "order-tally";                    // keys its watermarks: keep it stable
    }

    @Override
    public Set<String> entityTypes() {
        return Set.of("Order");
    }

    @Override
    public List<Write> project(ChangeEvent event) {               // pure: no I/O, same input -> same writes
        List<Write> writes = new ArrayList<>(2);
        event.oldImage().ifPresent(old -> writes.add(tally(old, -1)));   // take the old contribution back
        event.newImage().ifPresent(now -> writes.add(tally(now, +1)));   // add the new one
        return writes;
    }

    /** A cancelled order still counts, but costs nothing. */
    private static Write tally(Item order, int sign) {
        String customer = order.string("customerId");             // missing or not a string: a clear error
        BigDecimal spent = "CANCELLED".equals(order.string("status")) ? BigDecimal.ZERO : order.number("total");
        return Write.increment("CUSTOMER#" + customer, "TALLY", "orders", sign)
                .and("spent", sign < 0 ? spent.negate() : spent);
    }
}
