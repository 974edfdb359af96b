package dev.agentkernel.server;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransport;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import reactor.core.publisher.Mono;

/**
 * The MCP Streamable HTTP transport (specification 2025-03-26 and later) on Helidon routes: the
 * SDK's {@link McpStreamableServerTransportProvider} SPI, whose servlet implementation does not
 * fit Helidon SE. One endpoint, {@code /mcp}, behind the API's filter (API keys, drain):
 *
 * <ul>
 *   <li>{@code POST}: one JSON-RPC message. {@code initialize} opens a session and answers JSON
 *       with an {@code Mcp-Session-Id} header; every later message must carry that header (400
 *       without it, 404 for a session that is gone, so the client starts a new one).
 *       Notifications and responses answer 202. A request answers a {@code text/event-stream}
 *       (the response, after any messages the server sends while it runs) when the client
 *       accepts one, else JSON. The request runs on the request's own virtual thread.</li>
 *   <li>{@code GET} with {@code Accept: text/event-stream}: the session's listening stream for
 *       messages the server starts; a comment every {@link #KEEP_ALIVE} notices a client that left.</li>
 *   <li>{@code DELETE}: ends the session.</li>
 * </ul>
 *
 * <p>Package-private; thread-safe.
 */
final class McpHttpTransport implements McpStreamableServerTransportProvider {

    private static final System.Logger LOG = System.getLogger(McpHttpTransport.class.getName());
    static final HeaderName SESSION_ID = HeaderNames.create("Mcp-Session-Id");
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    /** A session unused this long (no request, no open listening stream) is ended when the next one opens. */
    static final Duration IDLE_LIMIT = Duration.ofHours(1);
    private static final String EVENT_STREAM = "text/event-stream";
    private static final String JSON = "application/json";

    private final McpJsonMapper json;
    private final Bodies bodies;
    private final Map<String, McpStreamableServerSession> sessions = new ConcurrentHashMap<>();
    /** When each session was last used ({@link System#nanoTime()}). */
    private final Map<String, Long> lastUsed = new ConcurrentHashMap<>();
    private final Set<SseTransport> listening = ConcurrentHashMap.newKeySet();
    private volatile McpStreamableServerSession.Factory sessionFactory;
    private volatile boolean closing;

    McpHttpTransport(McpJsonMapper json, Bodies bodies) {
        this.json = json;
        this.bodies = bodies;
    }

    @Override
    public void setSessionFactory(McpStreamableServerSession.Factory sessionFactory) {
        this.sessionFactory = sessionFactory;
    }

    @Override
    public Mono<Void> notifyClients(String method, Object params) {
        return Mono.fromRunnable(() -> sessions.values().forEach(s -> {
            try {
                s.sendNotification(method, params).block();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "notifying MCP session " + s.getId() + " failed: " + e.getMessage());
            }
        }));
    }

    @Override
    public Mono<Void> notifyClient(String sessionId, String method, Object params) {
        return Mono.defer(() -> {
            McpStreamableServerSession s = sessions.get(sessionId);
            return s == null ? Mono.empty() : s.sendNotification(method, params);
        });
    }

    /** Ends every session; requests still running lose their streams. */
    @Override
    public Mono<Void> closeGracefully() {
        return Mono.fromRunnable(() -> {
            closing = true;
            endListeningStreams();
            for (McpStreamableServerSession s : List.copyOf(sessions.values())) {
                try {
                    s.closeGracefully().block(Duration.ofSeconds(5));
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "closing MCP session " + s.getId() + " failed: " + e.getMessage());
                }
            }
            sessions.clear();
            lastUsed.clear();
        });
    }

    /**
     * Turns new {@code GET} streams away and ends the open ones, so that a drain waits only for
     * requests doing work (a listening stream lasts as long as its client).
     */
    void endListeningStreams() {
        closing = true;
        List.copyOf(listening).forEach(SseTransport::close);
    }

    /** Sessions open now. */
    int sessionCount() {
        return sessions.size();
    }

    /**
     * Ends the sessions unused for {@link #IDLE_LIMIT} as of {@code now} and with no stream open (no
     * call running, no listening stream): clients that left without deleting theirs (many do)
     * would otherwise keep them for the daemon's life.
     */
    void endIdleSessions(long now) {
        lastUsed.forEach((id, used) -> {
            McpStreamableServerSession open = sessions.get(id);
            if (now - used > IDLE_LIMIT.toNanos() && (open == null || !open.hasOpenStream())) {
                McpStreamableServerSession s = sessions.remove(id);
                lastUsed.remove(id);
                if (s != null) {
                    s.closeGracefully().onErrorComplete().subscribe();
                }
            }
        });
    }

    // ---- routes ---------------------------------------------------------------------------

    void post(ServerRequest req, ServerResponse res) {
        if (closing) {
            sendError(res, 503, null, McpSchema.ErrorCodes.INTERNAL_ERROR, "the server is shutting down");
            return;
        }
        McpSchema.JSONRPCMessage message;
        String body = new String(bodies.read(req), StandardCharsets.UTF_8);
        if (!body.stripLeading().startsWith("{")) {
            // JSON-RPC batches are not part of the transport since 2025-06-18; null, numbers and strings never were.
            sendError(res, 400, null, McpSchema.ErrorCodes.INVALID_REQUEST,
                    "the body must be one JSON-RPC message: a JSON object with \"jsonrpc\": \"2.0\"");
            return;
        }
        try {
            message = McpSchema.deserializeJsonRpcMessage(json, body);
        } catch (IOException | RuntimeException e) {
            sendError(res, 400, null, McpSchema.ErrorCodes.PARSE_ERROR,
                    "the body is not a JSON-RPC message: " + firstLine(e.getMessage()));
            return;
        }
        if (message instanceof McpSchema.JSONRPCRequest request && request.method().equals(McpSchema.METHOD_INITIALIZE)) {
            initialize(request, res);
            return;
        }
        Optional<McpStreamableServerSession> found = session(req, res);
        if (found.isEmpty()) {
            return;
        }
        McpStreamableServerSession session = found.get();
        switch (message) {
            case McpSchema.JSONRPCResponse response -> {
                session.accept(response).block();
                res.status(202).send();
            }
            case McpSchema.JSONRPCNotification notification -> {
                session.accept(notification).block();
                res.status(202).send();
            }
            case McpSchema.JSONRPCRequest request -> {
                if (accepts(req, EVENT_STREAM)) {
                    respondWithStream(session, request, res);
                } else {
                    respondWithJson(session, request, res);
                }
            }
            default -> sendError(res, 400, null, McpSchema.ErrorCodes.INVALID_REQUEST, "unknown kind of JSON-RPC message");
        }
    }

    private void initialize(McpSchema.JSONRPCRequest request, ServerResponse res) {
        McpSchema.InitializeRequest params = request.params() == null ? null
                : json.convertValue(request.params(), new TypeRef<McpSchema.InitializeRequest>() {
                });
        if (params == null || params.protocolVersion() == null) {
            sendError(res, 400, request.id(), McpSchema.ErrorCodes.INVALID_PARAMS,
                    "initialize needs params with protocolVersion, capabilities and clientInfo");
            return;
        }
        McpStreamableServerSession.McpStreamableServerSessionInit init = sessionFactory.startSession(params);
        McpSchema.InitializeResult result;
        try {
            result = init.initResult().block();
        } catch (RuntimeException e) {
            sendError(res, 500, request.id(), McpSchema.ErrorCodes.INTERNAL_ERROR, "initialization failed: " + e.getMessage());
            return;
        }
        endIdleSessions(System.nanoTime());
        sessions.put(init.session().getId(), init.session());
        lastUsed.put(init.session().getId(), System.nanoTime());
        res.header(SESSION_ID, init.session().getId());
        sendJson(res, 200, McpSchema.JSONRPCResponse.result(request.id(), result));
    }

    /** The request's answer as an event stream: messages sent while it runs, then the response. */
    private void respondWithStream(McpStreamableServerSession session, McpSchema.JSONRPCRequest request,
                                   ServerResponse res) {
        res.status(200).header(HeaderNames.CONTENT_TYPE, EVENT_STREAM).header(HeaderNames.CACHE_CONTROL, "no-cache");
        SseTransport stream = new SseTransport(res.outputStream(), json);
        try {
            session.responseStream(request, stream).block();
        } catch (UncheckedIOException e) {
            // the client left before the answer; the work was done, there is no one to tell
            LOG.log(System.Logger.Level.DEBUG, "MCP client left before the answer to " + request.method());
        } finally {
            stream.close();
        }
    }

    /** The request's answer as one JSON response, for clients that do not accept a stream. */
    private void respondWithJson(McpStreamableServerSession session, McpSchema.JSONRPCRequest request,
                                 ServerResponse res) {
        JsonTransport answer = new JsonTransport(json);
        session.responseStream(request, answer).block();
        if (answer.response == null) {
            sendError(res, 500, request.id(), McpSchema.ErrorCodes.INTERNAL_ERROR, "the request produced no response");
        } else {
            sendJson(res, 200, answer.response);
        }
    }

    void get(ServerRequest req, ServerResponse res) throws InterruptedException {
        if (closing) {
            sendError(res, 503, null, McpSchema.ErrorCodes.INTERNAL_ERROR, "the server is shutting down");
            return;
        }
        if (!accepts(req, EVENT_STREAM)) {
            res.header(HeaderNames.ALLOW, "POST, DELETE");
            sendError(res, 405, null, McpSchema.ErrorCodes.INVALID_REQUEST,
                    "GET /mcp opens an event stream: send 'Accept: text/event-stream'");
            return;
        }
        Optional<McpStreamableServerSession> found = session(req, res);
        if (found.isEmpty()) {
            return;
        }
        res.status(200).header(HeaderNames.CONTENT_TYPE, EVENT_STREAM).header(HeaderNames.CACHE_CONTROL, "no-cache");
        SseTransport stream = new SseTransport(res.outputStream(), json);
        listening.add(stream);
        var listeningStream = found.get().listeningStream(stream);
        try {
            stream.comment("stream open");
            while (!stream.awaitClosed(KEEP_ALIVE) && !closing) {
                stream.comment("keep-alive");
                lastUsed.put(found.get().getId(), System.nanoTime());
            }
        } finally {
            listening.remove(stream);
            listeningStream.close();
            stream.close();
        }
    }

    void delete(ServerRequest req, ServerResponse res) {
        Optional<McpStreamableServerSession> found = session(req, res);
        if (found.isEmpty()) {
            return;
        }
        McpStreamableServerSession session = found.get();
        sessions.remove(session.getId());
        lastUsed.remove(session.getId());
        session.delete().block(Duration.ofSeconds(10));
        res.status(200).send();
    }

    /** The session the request names, or empty after answering 400 (no header) or 404 (no such session). */
    private Optional<McpStreamableServerSession> session(ServerRequest req, ServerResponse res) {
        Optional<String> id = req.headers().first(SESSION_ID);
        if (id.isEmpty() || id.get().isBlank()) {
            sendError(res, 400, null, McpSchema.ErrorCodes.INVALID_REQUEST,
                    "the Mcp-Session-Id header is required: send the id the initialize response gave");
            return Optional.empty();
        }
        McpStreamableServerSession session = sessions.get(id.get());
        if (session != null) {
            lastUsed.put(id.get(), System.nanoTime());
        }
        if (session == null) {
            sendError(res, 404, null, McpSchema.ErrorCodes.INVALID_REQUEST,
                    "MCP session not found (it ended, or the daemon restarted): initialize a new one");
            return Optional.empty();
        }
        return Optional.of(session);
    }

    private static boolean accepts(ServerRequest req, String mediaType) {
        List<String> accept = req.headers().all(HeaderNames.ACCEPT, List::of);
        return accept.stream().map(a -> a.toLowerCase(Locale.ROOT)).anyMatch(a -> a.contains(mediaType) || a.contains("*/*"));
    }

    private void sendJson(ServerResponse res, int status, Object message) {
        try {
            res.status(status).header(HeaderNames.CONTENT_TYPE, JSON).send(json.writeValueAsBytes(message));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON-RPC error; {@code id} is null when the request's is unknown (JSON-RPC allows that, the SDK's type does not). */
    private void sendError(ServerResponse res, int status, Object id, int code, String message) {
        Map<String, Object> error = new java.util.LinkedHashMap<>();
        error.put("jsonrpc", McpSchema.JSONRPC_VERSION);
        error.put("id", id);
        error.put("error", Map.of("code", code, "message", message));
        sendJson(res, status, error);
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("").replaceAll("\\s*\\(.*$", "");
    }

    // ---- streams --------------------------------------------------------------------------

    /** One event stream of a response: {@code id: ...\nevent: message\ndata: JSON\n\n}, flushed at once. */
    private static final class SseTransport implements McpStreamableServerTransport {

        private final OutputStream out;
        private final McpJsonMapper json;
        private final ReentrantLock lock = new ReentrantLock();
        private final CountDownLatch closed = new CountDownLatch(1);

        SseTransport(OutputStream out, McpJsonMapper json) {
            this.out = out;
            this.json = json;
        }

        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            return sendMessage(message, null);
        }

        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message, String messageId) {
            return Mono.fromRunnable(() -> {
                try {
                    StringBuilder event = new StringBuilder();
                    if (messageId != null) {
                        event.append("id: ").append(messageId).append('\n');
                    }
                    event.append("event: message\ndata: ").append(json.writeValueAsString(message)).append("\n\n");
                    write(event.toString());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        /** An SSE comment, which clients ignore; fails quietly (closing the stream) if the client left. */
        void comment(String text) {
            try {
                write(": " + text + "\n\n");
            } catch (IOException | UncheckedIOException e) {
                close();
            }
        }

        private void write(String text) throws IOException {
            lock.lock();
            try {
                if (closed.getCount() == 0) {
                    return;
                }
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } finally {
                lock.unlock();
            }
        }

        /** Waits until the stream is closed or {@code timeout} passes; true if closed. */
        boolean awaitClosed(Duration timeout) throws InterruptedException {
            return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
            return json.convertValue(data, typeRef);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.fromRunnable(this::close);
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (closed.getCount() == 0) {
                    return;
                }
                closed.countDown();
                try {
                    out.close();
                } catch (IOException | UncheckedIOException e) {
                    // the client left; nothing to tell it
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Keeps the response of a request answered as plain JSON (messages sent before it are dropped). */
    private static final class JsonTransport implements McpStreamableServerTransport {

        private final McpJsonMapper json;
        private volatile McpSchema.JSONRPCResponse response;

        JsonTransport(McpJsonMapper json) {
            this.json = json;
        }

        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            return sendMessage(message, null);
        }

        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message, String messageId) {
            return Mono.fromRunnable(() -> {
                if (message instanceof McpSchema.JSONRPCResponse r) {
                    response = r;
                }
            });
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
            return json.convertValue(data, typeRef);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.empty();
        }
    }
}
