package io.projector.it;

import io.projector.ChangeEvent;
import io.projector.Item;
import io.projector.Projection;
import io.projector.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A projection of {@code Thing} items that validates what it reads and, on request (attribute
 * {@code behaviour}), misbehaves in the ways a real projection can: throw, emit an oversized item,
 * write to the engine's keys, emit conflicting writes, give an index key the wrong type, return null.
 */
final class StrictProjection implements Projection {

    @Override
    public String name() {
        return "strict";
    }

    @Override
    public Set<String> entityTypes() {
        return Set.of("Thing");
    }

    @Override
    public List<Write> project(ChangeEvent event) {
        Item item = event.latestImage();
        String id = item.string("PK");
        if (event.newImage().isEmpty()) {
            return List.of(Write.delete("STRICT#" + id, "COPY"), Write.increment("STRICT#TOTALS", "ALL", "count", -1));
        }
        String name = item.string("name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("attribute 'name' of " + item.where() + " is empty");
        }
        long amount = item.longValue("amount");
        if (amount < 0 || amount > 1_000_000_000L) {
            throw new IllegalArgumentException("attribute 'amount' of " + item.where() + " = " + amount + " is outside 0..1000000000");
        }
        if (item.has("meta") && depth(item.asMap().get("meta")) > 16) {
            throw new IllegalArgumentException("attribute 'meta' of " + item.where() + " is nested deeper than 16 levels");
        }
        String behaviour = item.optString("behaviour").orElse("");
        List<Write> writes = new ArrayList<>();
        Write.Put copy = Write.put("STRICT#" + id, "COPY").with("name", name).with("amount", amount);
        switch (behaviour) {
            case "throw" -> throw new IllegalStateException("this projection has a bug");
            case "null" -> {
                return null;
            }
            case "oversized" -> copy = copy.with("padding", "x".repeat(420_000));
            case "reserved" -> writes.add(Write.put("PROJECTOR#WATERMARK#strict", "SHARD#x").with("seq", "9"));
            case "conflict" -> writes.add(Write.increment("STRICT#" + id, "COPY", "name", 1));
            case "bad-index-key" -> copy = copy.with("GSI1PK", 42).with("GSI1SK", "x");
            case "copy-big" -> copy = copy.with("big", item.string("big")).with("padding", "p".repeat(20_000));
            default -> { }
        }
        writes.add(0, copy);
        if (event.oldImage().isEmpty()) {
            writes.add(Write.increment("STRICT#TOTALS", "ALL", "count", 1));
        }
        return writes;
    }

    private static int depth(AttributeValue v) {
        if (v.hasM()) {
            int max = 0;
            for (Map.Entry<String, AttributeValue> e : v.m().entrySet()) {
                max = Math.max(max, depth(e.getValue()));
            }
            return 1 + max;
        }
        return 0;
    }

}
