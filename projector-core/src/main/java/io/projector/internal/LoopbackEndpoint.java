package io.projector.internal;

import java.net.InetAddress;
import java.net.URI;

/**
 * Whether an endpoint is on this machine: DynamoDB Local, in practice. The guarded commit packs its
 * writes there (bound by requests), and the runner tunes for a fast start.
 */
public final class LoopbackEndpoint {

    private LoopbackEndpoint() {
    }

    /** localhost or a loopback address; anything unresolvable or without a host is not. */
    public static boolean is(URI uri) {
        if (uri == null || uri.getHost() == null) {
            return false;
        }
        try {
            return uri.getHost().equals("localhost") || InetAddress.getByName(uri.getHost()).isLoopbackAddress();
        } catch (Exception e) {
            return false;
        }
    }
}
