package io.projector.it;

import io.projector.ChangeEvent;
import io.projector.Item;
import io.projector.Projection;
import io.projector.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A test projection: keeps a copy of every {@code Thing} (its {@code value}) and a per-group counter
 * of things and of their summed {@code amount}, moved by new-minus-old contributions.
 */
public final class CopyProjection implements Projection {

    @Override
    public String name() {
        return "copy";
    }

    @Override
    public Set<String> entityTypes() {
        return Set.of("Thing");
    }

    @Override
    public List<Write> project(ChangeEvent event) {
        List<Write> writes = new ArrayList<>();
        event.oldImage().ifPresent(old -> {
            writes.add(Write.increment(groupKey(old), "SUM", "count", -1).and("amount", old.number("amount").negate()));
            if (event.newImage().isEmpty()) {
                writes.add(Write.delete(copyKey(old), "COPY"));
            }
        });
        event.newImage().ifPresent(now -> {
            writes.add(Write.put(copyKey(now), "COPY").with("value", now.string("value")).with("amount", now.number("amount")));
            writes.add(Write.increment(groupKey(now), "SUM", "count", 1).and("amount", now.number("amount")));
        });
        return writes;
    }

    static String copyKey(Item item) {
        return "COPY#" + item.string("PK") + "#" + item.string("SK");
    }

    static String groupKey(Item item) {
        return "GROUP#" + item.string("group");
    }
}
