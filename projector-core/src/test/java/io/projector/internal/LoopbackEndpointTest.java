package io.projector.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class LoopbackEndpointTest {

    @Test
    void dynamoDbLocalOnThisMachineIsLoopbackAnotherHostIsNot() {
        assertThat(LoopbackEndpoint.is(URI.create("http://localhost:8000"))).isTrue();
        assertThat(LoopbackEndpoint.is(URI.create("http://127.0.0.1:8000"))).isTrue();
        assertThat(LoopbackEndpoint.is(URI.create("http://[::1]:8000"))).isTrue();
        // Address literals: no name lookup. A DynamoDB Local on another host is not seen as one.
        assertThat(LoopbackEndpoint.is(URI.create("http://10.1.2.3:8000"))).isFalse();
        assertThat(LoopbackEndpoint.is(URI.create("https://192.0.2.10"))).isFalse();
        assertThat(LoopbackEndpoint.is(URI.create("file:///tmp/x"))).as("no host").isFalse();
        assertThat(LoopbackEndpoint.is(null)).isFalse();
    }
}
