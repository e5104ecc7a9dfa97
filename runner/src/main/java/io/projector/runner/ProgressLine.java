package io.projector.runner;

import io.projector.ops.BackfillProgress;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backfill's progress as a person sees it: on a terminal one line redrawn in place (bar, items,
 * items/s, ETA); otherwise a plain log line every ten seconds.
 */
final class ProgressLine {

    private static final Logger log = LoggerFactory.getLogger(ProgressLine.class);
    private static final int BAR = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private long loggedAt;

    ProgressLine(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    void show(BackfillProgress p) {
        if (terminal) {
            out.print("\r" + text(p) + "   ");
            out.flush();
        } else if (System.currentTimeMillis() - loggedAt >= 10_000) {
            loggedAt = System.currentTimeMillis();
            log.info("backfill {}", text(p));
        }
    }

    void done(BackfillProgress p) {
        if (terminal) {
            out.println("\r" + text(p) + "   ");
        }
        log.info("backfill {}", text(p));
    }

    static String text(BackfillProgress p) {
        if (p.phase().equals("REGISTERING") || p.phase().equals("JOINING")) {
            return "waiting for the workers running the projections to join the hand-off";
        }
        double percent = p.percent();
        int filled = percent < 0 ? 0 : (int) Math.round(percent / 100 * BAR);
        String bar = "[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "]";
        String eta = p.eta() == null ? "" : ", ETA " + p.eta().toSeconds() + " s";
        return String.format("%s %s %,d items scanned%s, %,.0f items/s, %,d (projection, item) pairs applied%s", bar,
                percent < 0 ? "?%" : String.format("%.0f%%", percent), p.scanned(),
                p.estimate() > 0 ? " of ~" + String.format("%,d", p.estimate()) : "", p.itemsPerSecond(), p.applied(), eta)
                + (p.phase().equals("COMPLETE") || p.phase().equals("STOPPED") ? " - " + p.phase().toLowerCase() : "");
    }
}
