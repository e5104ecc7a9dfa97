package io.projector.runner;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/** A comma-separated setting of names (attributes, projections): trimmed, none empty. */
final class NameList {

    private NameList() {
    }

    /**
     * @param given   the setting's values, as picocli split them (null: not given)
     * @param setting names a setting (its key) as the user gave it
     * @param what    what one name is, for the error: "attribute name", "projection name"
     */
    static Set<String> of(List<String> given, UnaryOperator<String> setting, String key, String what) {
        Set<String> names = new LinkedHashSet<>();
        if (given != null) {
            for (String name : given) {
                if (name.isBlank()) {
                    throw new IllegalArgumentException(setting.apply(key) + " has an empty " + what + ": '" + String.join(",", given) + "'");
                }
                names.add(name.trim());
            }
        }
        return names;
    }
}
