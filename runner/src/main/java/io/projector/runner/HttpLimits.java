package io.projector.runner;

import java.time.Duration;

/**
 * What the HTTP endpoints give any one client, so that slow or idle connections cannot starve
 * {@code /health}: requests are read by one selector thread, never by a worker, so a connection that
 * trickles its request holds no thread; only complete requests reach the {@code threads} workers.
 *
 * @param threads        workers that compute responses (a probe, a metrics scrape)
 * @param maxConnections open connections at most; past it the oldest one still sending its request is closed
 * @param idleTimeout    a connection that has sent nothing for this long is closed
 * @param requestTimeout a request must arrive whole, and its answer be computed and sent, within this
 *                       time of its first byte (else the connection is closed)
 * @param maxHeadBytes   a longer request line and headers get 431
 */
record HttpLimits(int threads, int maxConnections, Duration idleTimeout, Duration requestTimeout, int maxHeadBytes) {

    /** ECS and load balancer health checks wait 5 s by default: a probe is answered or refused well within that. */
    static final HttpLimits DEFAULT = new HttpLimits(4, 64, Duration.ofSeconds(10), Duration.ofSeconds(3), 8_192);

    HttpLimits {
        if (threads < 1 || maxConnections < 1 || maxHeadBytes < 64 || idleTimeout.isNegative() || idleTimeout.isZero()
                || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("HTTP limits must be positive: " + threads + " threads, " + maxConnections
                    + " connections, idle " + idleTimeout + ", request " + requestTimeout + ", head " + maxHeadBytes + " bytes");
        }
    }
}
