package dev.agentkernel.client;

import dev.agentkernel.api.ResizeRequest;
import dev.agentkernel.api.TerminalEvent;
import dev.agentkernel.api.WireJson;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link TerminalSession} over the attach routes: output from the SSE stream of
 * {@code GET /attach/{id}/events} ({@code output} events with base64 bytes, then {@code exit}),
 * input, end of input and resize as {@code POST}s, close as {@code DELETE}. Package-private.
 */
final class HttpTerminalSession implements TerminalSession {

    /** Most bytes one input request carries (the server's limit). */
    static final int MAX_INPUT = 64 * 1024;

    private final Transport transport;
    private final String id;
    private final String sandbox;
    private final InputStream body;
    private final SseReader reader;
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    private final AtomicBoolean reading = new AtomicBoolean();
    private volatile boolean closed;

    private HttpTerminalSession(Transport transport, String id, String sandbox, InputStream body) {
        this.transport = transport;
        this.id = id;
        this.sandbox = sandbox;
        this.body = body;
        this.reader = new SseReader(body);
    }

    /** Opens the session's event stream; if that fails, kills the session and throws. */
    static HttpTerminalSession open(Transport transport, String id, String sandbox) {
        InputStream body;
        try {
            body = transport.getEvents(path(id) + "/events");
        } catch (AgentKernelException | IllegalStateException e) {
            deleteQuietly(transport, id);
            throw e;
        }
        return new HttpTerminalSession(transport, id, sandbox, body);
    }

    private static String path(String id) {
        return "/attach/" + UrlPaths.segment(id);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String sandbox() {
        return sandbox;
    }

    @Override
    public byte[] read() {
        if (!reading.compareAndSet(false, true)) {
            throw new IllegalStateException("another thread is reading this session's output");
        }
        try {
            return next();
        } catch (ServerException e) {
            exitCode.completeExceptionally(e);
            closeBody();
            throw e;
        } finally {
            reading.set(false);
        }
    }

    private byte[] next() {
        while (true) {
            if (exitCode.isDone() || closed) {
                return null;
            }
            SseReader.Frame frame;
            try {
                frame = reader.next();
            } catch (IOException e) {
                if (closed) {
                    return null;
                }
                throw broken("reading the output of session " + id + " failed: " + e.getMessage(), e);
            }
            if (frame == null) {
                if (closed) {
                    return null;
                }
                throw broken("the output of session " + id + " ended before the program's exit: the connection "
                        + "or the server went away", null);
            }
            switch (frame.event()) {
                case "output" -> {
                    byte[] bytes = decodeOutput(frame.data());
                    if (bytes.length > 0) {
                        return bytes;
                    }
                }
                case "exit" -> {
                    exitCode.complete(event(frame.event(), frame.data(), TerminalEvent.Exit.class).exitCode());
                    closeBody();
                    return null;
                }
                default -> {
                    // an event this client does not know: skipped
                }
            }
        }
    }

    private ConnectionException broken(String message, Throwable cause) {
        ConnectionException e = new ConnectionException(message, cause);
        exitCode.completeExceptionally(e);
        closeBody();
        return e;
    }

    private byte[] decodeOutput(String data) {
        String b64 = event("output", data, TerminalEvent.Output.class).b64();
        if (b64 == null) {
            throw new ServerException(200, "an output event of session " + id + " has no b64 field: " + data);
        }
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new ServerException(200, "an output event of session " + id + " is not base64: " + e.getMessage(), e);
        }
    }

    private <T> T event(String name, String data, Class<T> type) {
        try {
            return Wire.event(name, data, type);
        } catch (Wire.MalformedException e) {
            throw new ServerException(200, "an event of session " + id + " is malformed: " + e.getMessage(), e);
        }
    }

    @Override
    public void input(byte[] bytes) {
        java.util.Objects.requireNonNull(bytes, "bytes");
        if (bytes.length <= MAX_INPUT) {
            transport.postNoContent(path(id) + "/input", Transport.OCTET_STREAM, bytes);
            return;
        }
        for (int from = 0; from < bytes.length; from += MAX_INPUT) {
            transport.postNoContent(path(id) + "/input", Transport.OCTET_STREAM,
                    Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + MAX_INPUT)));
        }
    }

    @Override
    public void endInput() {
        transport.postNoContent(path(id) + "/input?eof=true", Transport.OCTET_STREAM, new byte[0]);
    }

    @Override
    public void resize(int rows, int cols) {
        AttachOptions.requireSize(rows, cols);
        transport.postNoContent(path(id) + "/resize", Transport.JSON,
                WireJson.bytes(new ResizeRequest(rows, cols)));
    }

    @Override
    public CompletableFuture<Integer> exitCode() {
        return exitCode;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!exitCode.isDone()) {
            deleteQuietly(transport, id);
            exitCode.completeExceptionally(new IllegalStateException("session " + id
                    + " was closed before its program exited"));
        }
        closeBody();
    }

    private void closeBody() {
        try {
            body.close();
        } catch (IOException | RuntimeException ignored) {
            // best effort: the connection is dropped either way
        }
    }

    private static void deleteQuietly(Transport transport, String id) {
        if (transport.closed()) {
            return;
        }
        try {
            transport.delete(path(id), data -> null);
        } catch (AgentKernelException | IllegalStateException ignored) {
            // it ended already, or the server is gone: either way it no longer runs
        }
    }

    @Override
    public String toString() {
        return "TerminalSession[" + id + " in " + sandbox + "]";
    }
}
