package dev.agentkernel.server;

import dev.agentkernel.api.CommandEvent;
import dev.agentkernel.api.TerminalEvent;
import dev.agentkernel.api.WireJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Server-Sent Events framing, byte for byte what the published clients parse:
 * {@code event: TYPE\ndata: COMPACT-JSON\n\n}, flushed at once. Thread-safe. A write that
 * fails (the client left) marks the stream closed instead of throwing at the producer.
 */
final class SseStream {

    /** Quiet time after which a comment line is sent, so that a client that left is noticed. */
    static final long HEARTBEAT_NANOS = 1_000_000_000L;
    private static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    private final OutputStream out;
    private volatile boolean closed;
    private long lastWrite = System.nanoTime();

    SseStream(OutputStream out) {
        this.out = out;
    }

    /** Sends one event of a command. */
    void send(CommandEvent event) {
        send(event.event(), event);
    }

    /** Sends one event of an image pull. */
    void send(dev.agentkernel.api.ImagePullEvent event) {
        send(event.event(), event);
    }

    /** Sends one event of an interactive session. */
    void send(TerminalEvent event) {
        send(event.event(), event);
    }

    private synchronized void send(String event, Object data) {
        if (closed) {
            return;
        }
        try {
            out.write(("event: " + event + "\ndata: ").getBytes(StandardCharsets.UTF_8));
            out.write(WireJson.bytes(data));
            out.write("\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            lastWrite = System.nanoTime();
        } catch (IOException | UncheckedIOException e) {
            closed = true;
        }
    }

    /**
     * Whether the client has gone away, sending an SSE comment (ignored by clients) when
     * nothing was written for a second: a write is the only way to notice a closed connection
     * while the command is silent.
     */
    synchronized boolean probeClosed() {
        if (!closed && System.nanoTime() - lastWrite > HEARTBEAT_NANOS) {
            try {
                out.write(HEARTBEAT);
                out.flush();
                lastWrite = System.nanoTime();
            } catch (IOException | UncheckedIOException e) {
                closed = true;
            }
        }
        return closed;
    }

    /** Whether the client has gone away. */
    boolean closed() {
        return closed;
    }

    void close() {
        try {
            out.close();
        } catch (IOException | UncheckedIOException e) {
            closed = true;
        }
    }
}
