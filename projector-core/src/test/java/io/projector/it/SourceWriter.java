package io.projector.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded stream of random changes to {@code Thing} items: puts that move items between groups
 * and change their amounts, and deletes. Every change goes to the source table synchronously.
 */
final class SourceWriter {

    private final String table;
    private final Random random;
    private final int keys;
    private final String keyPrefix;
    private final List<Boolean> exists = new ArrayList<>();
    private int written;

    SourceWriter(String table, long seed, int keys) {
        this(table, seed, keys, "T#");
    }

    /** Items keyed {@code <keyPrefix><n>}: writers of several source tables feeding one read model keep their copies apart. */
    SourceWriter(String table, long seed, int keys, String keyPrefix) {
        this.keyPrefix = keyPrefix;
        this.table = table;
        this.random = new Random(seed);
        this.keys = keys;
        for (int i = 0; i < keys; i++) {
            exists.add(false);
        }
    }

    void write(int changes) {
        for (int i = 0; i < changes; i++) {
            int k = random.nextInt(keys);
            if (exists.get(k) && random.nextInt(5) == 0) {
                TestDynamo.deleteThing(table, keyPrefix + k, "THING");
                exists.set(k, false);
            } else {
                TestDynamo.putThing(table, keyPrefix + k, "THING", "g" + random.nextInt(4), "v" + written, 1 + random.nextInt(100));
                exists.set(k, true);
            }
            written++;
        }
    }

    int written() {
        return written;
    }
}
