package io.projector.it;

import io.projector.ChangeEvent;
import io.projector.FailurePolicy;
import io.projector.Projection;
import io.projector.Write;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Copies each Thing's value to {@code THROW#<PK>}, and fails the way real projections fail on the
 * values that ask for it: {@code checked} (an IOException thrown sneakily, as Kotlin or Lombok do),
 * {@code error} (an AssertionError), {@code missing-class} (NoClassDefFoundError), {@code overflow}
 * (a real StackOverflowError), {@code stuck} (never returns, and ignores interrupts, until released).
 * Once {@link #fixed()}, it projects every value.
 */
final class ThrowingProjection implements Projection {

    private final FailurePolicy policy;
    private final boolean fixed;
    private final AtomicBoolean released;

    ThrowingProjection(FailurePolicy policy) {
        this(policy, false, new AtomicBoolean());
    }

    private ThrowingProjection(FailurePolicy policy, boolean fixed, AtomicBoolean released) {
        this.policy = policy;
        this.fixed = fixed;
        this.released = released;
    }

    /** The same projection after its bugs were fixed. */
    ThrowingProjection fixed() {
        return new ThrowingProjection(policy, true, released);
    }

    /** Lets a {@code stuck} change return; {@code false} makes the next one stick again. */
    void release(boolean on) {
        released.set(on);
    }

    @Override
    public String name() {
        return "throwing";
    }

    @Override
    public Set<String> entityTypes() {
        return Set.of("Thing");
    }

    @Override
    public FailurePolicy failurePolicy() {
        return policy;
    }

    @Override
    public List<Write> project(ChangeEvent event) {
        String value = event.latestImage().string("value");
        if (!fixed) {
            switch (value) {
                case "checked" -> throw ThrowingProjection.<RuntimeException>sneaky(new IOException("cache file is locked"));
                case "error" -> throw new AssertionError("amount must not be negative");
                case "missing-class" -> throw new NoClassDefFoundError("com/acme/money/Money");
                case "overflow" -> recurse(0);
                case "stuck" -> {
                    while (!released.get()) {
                        LockSupport.parkNanos(10_000_000L);
                        Thread.interrupted();
                    }
                }
                default -> {
                }
            }
        }
        String pk = event.keys().string("PK");
        return event.newImage().isEmpty() ? List.of(Write.delete("THROW#" + pk, "COPY"))
                : List.of(Write.put("THROW#" + pk, "COPY").with("value", value));
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }
}
