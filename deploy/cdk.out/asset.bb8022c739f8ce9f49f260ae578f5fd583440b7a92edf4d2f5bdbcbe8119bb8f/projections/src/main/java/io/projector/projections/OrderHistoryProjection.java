package io.projector.projections;

import io.projector.ChangeEvent;
import io.projector.Item;
import io.projector.ItemAttributeException;
import io.projector.ItemKey;
import io.projector.Projection;
import io.projector.Write;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A customer's order history as one item collection per customer: the profile, each order and
 * each order line, under {@code PK = CUSTOMER#<customerId>}, sorted by order date. Orders are also
 * indexed by status (GSI1) and by order id (GSI2). See {@code projections/KEYS.md}.
 *
 * <p>Every read-model item is a copy of exactly one source item, so a change is always "delete the
 * copy of the old image, put the copy of the new one"; the delete is left out when the key did not
 * move, so that an in-place update stays a single put.
 */
public final class OrderHistoryProjection implements Projection {

    static final String CUSTOMER = "Customer";
    static final String ORDER = "Order";
    static final String ORDER_ITEM = "OrderItem";

    @Override
    public String name() {
        return "order-history";
    }

    @Override
    public Set<String> entityTypes() {
        return Set.of(CUSTOMER, ORDER, ORDER_ITEM);
    }

    @Override
    public List<Write> project(ChangeEvent event) {
        String type = event.entityType();
        // Only key-forming attributes are read from the old image, so a REMOVE of an item whose
        // other attributes are broken still cleans up its copy.
        Optional<ItemKey> oldKey = event.oldImage().map(old -> keyOf(type, old));
        Optional<Write.Put> put = event.newImage().map(now -> copyOf(type, now));
        List<Write> writes = new ArrayList<>(2);
        oldKey.filter(k -> put.isEmpty() || !put.get().key().equals(k)).ifPresent(k -> writes.add(Write.delete(k)));
        put.ifPresent(writes::add);
        return writes;
    }

    private static ItemKey keyOf(String type, Item item) {
        if (CUSTOMER.equals(type)) {
            return ItemKey.of(customerPk(suffix(item, "PK", "CUSTOMER#")), "PROFILE");
        }
        String orderSk = orderSk(item);
        if (ORDER.equals(type)) {
            return ItemKey.of(customerPk(item.string("customerId")), orderSk);
        }
        return ItemKey.of(customerPk(item.string("customerId")), orderSk + "#ITEM#" + suffix(item, "SK", "ITEM#"));
    }

    private static Write.Put copyOf(String type, Item item) {
        Write.Put put = Write.put(keyOf(type, item));
        if (CUSTOMER.equals(type)) {
            // Profile fields feed no key or index, so a customer without an email is not worth halting a shard for.
            return put.withIfPresent("name", item.optString("name").orElse(null))
                    .withIfPresent("email", item.optString("email").orElse(null));
        }
        String orderId = suffix(item, "PK", "ORDER#");
        if (ORDER.equals(type)) {
            String orderDate = orderDate(item);
            String status = item.string("status");
            return put.with("orderId", orderId)
                    .with("customerId", item.string("customerId"))
                    .with("orderDate", orderDate)
                    .with("status", status)
                    .with("total", item.number("total"))
                    .with("GSI1PK", "STATUS#" + status)
                    .with("GSI1SK", orderDate + "#" + orderId)
                    .with("GSI2PK", "ORDER#" + orderId)
                    .with("GSI2SK", "ORDER");
        }
        // Lines carry no GSI keys on purpose: both indexes are sparse and list orders only.
        return put.with("orderId", orderId)
                .with("product", item.string("product"))
                .with("qty", item.number("qty"))
                .with("price", item.number("price"));
    }

    private static String customerPk(String customerId) {
        return "CUSTOMER#" + customerId;
    }

    /** The SK an order has, and its lines start with: ORDER#<orderDate>#<orderId>. */
    private static String orderSk(Item item) {
        return "ORDER#" + orderDate(item) + "#" + suffix(item, "PK", "ORDER#");
    }

    /** The order date sorts the collection and the status index, so a date that would sort wrongly is refused. */
    private static String orderDate(Item item) {
        String date = item.string("orderDate");
        if (date.length() != 10 || !isDate(date)) { // the length check refuses years such as +10000, which LocalDate accepts
            throw new ItemAttributeException("attribute 'orderDate' of " + item.where() + " is '" + date + "', expected yyyy-MM-dd");
        }
        return date;
    }

    private static boolean isDate(String text) {
        try {
            LocalDate.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** The id part of a source key attribute, e.g. "42" of PK "ORDER#42". */
    private static String suffix(Item item, String attribute, String prefix) {
        String value = item.string(attribute);
        if (!value.startsWith(prefix) || value.length() == prefix.length()) {
            throw new ItemAttributeException("attribute '" + attribute + "' of " + item.where() + " is '" + value
                    + "', expected " + prefix + "<id>");
        }
        return value.substring(prefix.length());
    }
}
