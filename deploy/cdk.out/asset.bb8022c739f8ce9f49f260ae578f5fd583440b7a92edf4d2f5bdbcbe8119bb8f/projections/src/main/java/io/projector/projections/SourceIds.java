package io.projector.projections;

import io.projector.Item;
import io.projector.ItemAttributeException;

/** Reading ids out of the reference domain's source keys, e.g. {@code "42"} of PK {@code "POST#42"}. */
final class SourceIds {

    private SourceIds() {
    }

    /**
     * The id part of a string attribute that must be {@code <prefix><id>}, with an id that is not
     * empty and holds no {@code #} (the read-model keys are built by joining ids with {@code #}).
     */
    static String suffix(Item item, String attribute, String prefix) {
        String value = item.string(attribute);
        String id = value.startsWith(prefix) ? value.substring(prefix.length()) : "";
        if (id.isEmpty() || id.indexOf('#') >= 0) {
            throw new ItemAttributeException("attribute '" + attribute + "' of " + item.where() + " is '" + value
                    + "', expected " + prefix + "<id> with an id that is not empty and holds no '#'");
        }
        return id;
    }

    /** A string attribute used as an id in read-model keys: not empty, no {@code #}. */
    static String id(Item item, String attribute) {
        String value = item.string(attribute);
        if (value.isEmpty() || value.indexOf('#') >= 0) {
            throw new ItemAttributeException("attribute '" + attribute + "' of " + item.where() + " is '" + value
                    + "', expected an id that is not empty and holds no '#'");
        }
        return value;
    }
}
