package io.projector.internal.plan;

import io.projector.ChangeEvent;

/**
 * What the engine's own items weigh against a transaction's byte limit, as the planner counts
 * them. Here rather than in the stores that write those items, so that planning needs no store.
 */
public final class EngineItemSizes {

    /** A watermark item. */
    public static final long WATERMARK_BYTES = 256;
    /** A hand-off marker. */
    public static final long MARKER_BYTES = 200;
    /** A dead letter at most: images that would push it past DynamoDB's 400 KB are left out. */
    public static final long DEAD_LETTER_MAX_BYTES = 380_000;
    private static final long DEAD_LETTER_OVERHEAD_BYTES = 600;

    private EngineItemSizes() {
    }

    /** A parked change's letter, images capped as the store caps them. */
    public static long deadLetter(ParkedChange c) {
        ChangeEvent e = c.event();
        long images = ItemSize.of(e.keys().asMap())
                + e.oldImage().map(i -> ItemSize.of(i.asMap())).orElse(0L)
                + e.newImage().map(i -> ItemSize.of(i.asMap())).orElse(0L);
        return DEAD_LETTER_OVERHEAD_BYTES + c.reason().length() + Math.min(images, DEAD_LETTER_MAX_BYTES);
    }
}
