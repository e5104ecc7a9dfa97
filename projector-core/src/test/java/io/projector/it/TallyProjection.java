package io.projector.it;

import io.projector.ChangeEvent;
import io.projector.Projection;
import io.projector.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A second test projection over {@code Thing}s: how many there are per group, under keys of its own. */
public final class TallyProjection implements Projection {

    @Override
    public String name() {
        return "tally";
    }

    @Override
    public Set<String> entityTypes() {
        return Set.of("Thing");
    }

    @Override
    public List<Write> project(ChangeEvent event) {
        List<Write> writes = new ArrayList<>();
        event.oldImage().ifPresent(old -> writes.add(Write.increment("TALLY#" + old.string("group"), "TALLY", "things", -1)));
        event.newImage().ifPresent(now -> writes.add(Write.increment("TALLY#" + now.string("group"), "TALLY", "things", 1)));
        return writes;
    }
}
