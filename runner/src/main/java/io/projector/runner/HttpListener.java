package io.projector.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server for GET-style probes, built so that it keeps answering: one selector thread
 * accepts, reads request heads and writes answers without blocking on any client; a bounded pool
 * computes answers for complete requests only; every connection has an idle and a request deadline
 * ({@link HttpLimits}); every answer closes its connection (probes do not need keep-alive, and a
 * connection that cannot linger cannot be held). Request bodies are not read.
 */
final class HttpListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpListener.class);
    private static final byte[] END_OF_HEAD = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** A complete request: method and path (without its query). */
    record Request(String method, String path) {
    }

    /** An answer; {@code headers} are added to Content-Type, Content-Length, Cache-Control and Connection. */
    record Response(int status, String contentType, String body, Map<String, String> headers) {
    }

    /** Where one connection is: sending its head, waiting for a worker, or being answered. */
    private static final class Connection {
        final long openedNanos;
        long firstByteNanos = -1;
        byte[] head = new byte[512];
        int headLength;
        ByteBuffer answer;
        boolean handedOver;

        Connection(long now) {
            this.openedNanos = now;
        }

        boolean sendingHead() {
            return answer == null && !handedOver;
        }
    }

    private record Answer(SelectionKey key, byte[] bytes) {
    }

    private final HttpLimits limits;
    private final Function<Request, Response> handler;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final ThreadPoolExecutor workers;
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final Thread loop;
    private volatile boolean open = true;

    /** Binds host:port (port 0: a free one); an IOException if it cannot. */
    HttpListener(String host, int port, HttpLimits limits, Function<Request, Response> handler) throws IOException {
        this.limits = limits;
        this.handler = handler;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress(host, port), 64);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            selector.close();
            throw e;
        }
        this.workers = new ThreadPoolExecutor(limits.threads(), limits.threads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(limits.maxConnections()), r -> daemon(r, "projector-http-worker"));
        this.loop = daemon(this::run, "projector-http");
        loop.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void run() {
        long tick = Math.max(10, Math.min(limits.idleTimeout().toMillis(), limits.requestTimeout().toMillis()) / 4);
        try {
            while (open) {
                selector.select(tick);
                Answer answer;
                while ((answer = answers.poll()) != null) {
                    startAnswer(answer.key(), answer.bytes());
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept();
                        } else if (key.isReadable()) {
                            read(key);
                        } else if (key.isWritable()) {
                            write(key);
                        }
                    } catch (IOException | RuntimeException e) {
                        close(key);
                    }
                }
                selector.selectedKeys().clear();
                expire(System.nanoTime());
            }
        } catch (IOException | ClosedSelectorException e) {
            if (open) {
                log.error("the HTTP endpoints stopped: {}", e.toString());
            }
        } finally {
            for (SelectionKey key : selector.keys()) {
                close(key);
            }
            closeQuietly(selector);
            closeQuietly(server);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // stopping anyway
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            if (connections() >= limits.maxConnections()) {
                closeOldestSendingHead();
            }
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.register(selector, SelectionKey.OP_READ, new Connection(System.nanoTime()));
        }
    }

    private int connections() {
        return selector.keys().size() - 1;
    }

    /** Makes room: the connection that has held its place longest without sending a whole request goes. */
    private void closeOldestSendingHead() {
        selector.keys().stream()
                .filter(k -> k.attachment() instanceof Connection c && c.sendingHead())
                .min(Comparator.comparingLong(k -> ((Connection) k.attachment()).openedNanos))
                .ifPresent(this::close);
    }

    private void read(SelectionKey key) throws IOException {
        Connection c = (Connection) key.attachment();
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        int n = ((SocketChannel) key.channel()).read(buffer);
        if (n < 0) {
            close(key);
            return;
        }
        if (n == 0) {
            return;
        }
        if (c.firstByteNanos < 0) {
            c.firstByteNanos = System.nanoTime();
        }
        if (c.headLength + n > c.head.length) {
            byte[] bigger = new byte[Math.max(c.head.length * 2, c.headLength + n)];
            System.arraycopy(c.head, 0, bigger, 0, c.headLength);
            c.head = bigger;
        }
        System.arraycopy(buffer.array(), 0, c.head, c.headLength, n);
        c.headLength += n;
        int end = indexOf(c.head, c.headLength, END_OF_HEAD);
        if (end < 0) {
            if (c.headLength > limits.maxHeadBytes()) {
                startAnswer(key, bytes(new Response(431, HealthServer.JSON, "{\"error\":\"request head too large\"}\n", Map.of()), false));
            }
            return;
        }
        Request request = parse(new String(c.head, 0, end, StandardCharsets.ISO_8859_1));
        if (request == null) {
            startAnswer(key, bytes(new Response(400, HealthServer.JSON, "{\"error\":\"bad request line\"}\n", Map.of()), false));
            return;
        }
        c.handedOver = true;
        key.interestOps(0);
        try {
            workers.execute(() -> {
                byte[] out;
                try {
                    out = bytes(handler.apply(request), request.method().equals("HEAD"));
                } catch (RuntimeException e) {
                    out = bytes(new Response(500, HealthServer.JSON, "{\"error\":\"internal error\"}\n", Map.of()), false);
                }
                answers.add(new Answer(key, out));
                selector.wakeup();
            });
        } catch (RejectedExecutionException e) {
            startAnswer(key, bytes(new Response(503, HealthServer.JSON, "{\"error\":\"busy\"}\n", Map.of()), false));
        }
    }

    /** "GET /health?x HTTP/1.1" -> (GET, /health); null when it is not a request line. */
    static Request parse(String head) {
        int lineEnd = head.indexOf("\r\n");
        String[] parts = (lineEnd < 0 ? head : head.substring(0, lineEnd)).split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/") || !parts[1].startsWith("/") || !parts[0].matches("[A-Z]{1,16}")) {
            return null;
        }
        int query = parts[1].indexOf('?');
        return new Request(parts[0], query < 0 ? parts[1] : parts[1].substring(0, query));
    }

    private static int indexOf(byte[] data, int length, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] bytes(Response r, boolean head) {
        byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder("HTTP/1.1 ").append(r.status()).append(' ').append(reason(r.status())).append("\r\n")
                .append("Content-Type: ").append(r.contentType()).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Cache-Control: no-store\r\nConnection: close\r\n");
        r.headers().forEach((name, value) -> out.append(name).append(": ").append(value).append("\r\n"));
        out.append("\r\n");
        byte[] headBytes = out.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (head) {
            return headBytes;
        }
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    private void startAnswer(SelectionKey key, byte[] bytes) {
        if (!key.isValid()) {
            return;   // closed by a deadline while a worker computed the answer
        }
        Connection c = (Connection) key.attachment();
        c.answer = ByteBuffer.wrap(bytes);
        key.interestOps(SelectionKey.OP_WRITE);
    }

    private void write(SelectionKey key) throws IOException {
        Connection c = (Connection) key.attachment();
        ((SocketChannel) key.channel()).write(c.answer);
        if (!c.answer.hasRemaining()) {
            close(key);
        }
    }

    /** Closes what has overstayed: silent connections, requests that do not arrive or are not answered in time. */
    private void expire(long now) {
        List<SelectionKey> late = new ArrayList<>();
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Connection c) {
                long since = c.firstByteNanos < 0 ? c.openedNanos : c.firstByteNanos;
                Duration limit = c.firstByteNanos < 0 ? limits.idleTimeout() : limits.requestTimeout();
                if (now - since > limit.toNanos()) {
                    late.add(key);
                }
            }
        }
        late.forEach(this::close);
    }

    private void close(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException e) {
            // closing anyway; nothing to tell the client
        }
    }

    /** Stops accepting, closes every connection; waits briefly for the selector thread, which does the closing. */
    @Override
    public void close() {
        open = false;
        workers.shutdownNow();
        selector.wakeup();
        try {
            loop.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
