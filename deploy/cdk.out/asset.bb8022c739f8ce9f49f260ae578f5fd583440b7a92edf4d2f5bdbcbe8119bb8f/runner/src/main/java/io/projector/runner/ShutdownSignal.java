package io.projector.runner;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * Waits for SIGTERM or SIGINT. Handling the signals (instead of a shutdown hook) lets the worker
 * stop gracefully and still exit 0, which is what ECS and a terminal user expect.
 */
final class ShutdownSignal {

    private final CountDownLatch received = new CountDownLatch(1);
    private volatile String name;

    ShutdownSignal() {
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> {
                name = "SIG" + s.getName();
                received.countDown();
            });
        }
    }

    /** Waits up to the timeout for a signal; returns its name, or null if none came. */
    String await(long timeoutMillis) throws InterruptedException {
        return received.await(timeoutMillis, TimeUnit.MILLISECONDS) ? name : null;
    }
}
