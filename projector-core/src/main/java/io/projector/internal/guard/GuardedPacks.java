package io.projector.internal.guard;

import io.projector.internal.plan.TransactionLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Cuts a window's guarded writes into packs, each sent as one TransactWriteItems: at most the
 * limits' actions and bytes per pack, the writes in their order. A window's writes are distinct
 * items already (it folds per item), so no pack holds two actions on one item, which a transaction
 * refuses. A write too large to share a pack goes alone.
 */
public final class GuardedPacks {

    private GuardedPacks() {
    }

    public static List<List<GuardedWrite>> cut(List<GuardedWrite> writes, TransactionLimits limits, ToLongFunction<GuardedWrite> bytes) {
        List<List<GuardedWrite>> packs = new ArrayList<>();
        List<GuardedWrite> pack = new ArrayList<>();
        long packBytes = 0;
        for (GuardedWrite w : writes) {
            long size = bytes.applyAsLong(w);
            if (!pack.isEmpty() && (pack.size() == limits.maxActions() || packBytes + size > limits.maxBytes())) {
                packs.add(pack);
                pack = new ArrayList<>();
                packBytes = 0;
            }
            pack.add(w);
            packBytes += size;
        }
        if (!pack.isEmpty()) {
            packs.add(pack);
        }
        return packs;
    }
}
