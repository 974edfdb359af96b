package dev.agentkernel.server;

import dev.agentkernel.model.SandboxFailureException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@link ApiServer} on Helidon WebServer 4 (a virtual thread per request). Package-private. */
final class HelidonApiServer implements ApiServer {

    private static final System.Logger LOG = System.getLogger(HelidonApiServer.class.getName());
    /** Helidon reports its features at INFO on every start; only warnings matter to users. Held strongly. */
    private static final java.util.logging.Logger HELIDON_LOG = java.util.logging.Logger.getLogger("io.helidon");
    private final WebServer server;
    private final Drain drain;
    private final McpEndpoint mcp;

    private HelidonApiServer(WebServer server, Drain drain, McpEndpoint mcp) {
        this.server = server;
        this.drain = drain;
        this.mcp = mcp;
    }

    static ApiServer start(ServerConfig config, ApiServices services) {
        HELIDON_LOG.setLevel(java.util.logging.Level.WARNING);
        ApiKeys keys = new ApiKeys(config.apiKeys());
        Bodies bodies = new Bodies(config.maxBodyBytes());
        Drain drain = new Drain();
        RequestGuard guard = new RequestGuard(config, keys);
        McpEndpoint mcp = McpEndpoint.start(services, bodies);
        try {
            WebServer server = WebServer.builder()
                    .host(config.host())
                    .port(config.port())
                    .maxPayloadSize(-1)
                    // Strict HTTP/1.1 parsing: one valid Host, valid header names and values, bounded request line
                    // and headers. What Helidon does not check (Content-Length values, Transfer-Encoding) RequestGuard does.
                    .protocolsDiscoverServices(false) // exactly one connection provider: HTTP/1.0 then gets its 505
                    .addProtocol(Http1Config.builder()
                            .validateRequestHeaders(true)
                            .validateRequestHostHeader(true)
                            .validatePrologue(true)
                            .validatePath(true)
                            .maxPrologueLength(8192)
                            .maxHeadersSize(16 * 1024)
                            .build())
                    // Requests Helidon itself refuses (bad framing, HTTP/1.0, headers too large) get the JSON envelope too.
                    .errorHandling(e -> e.includeEntity(true))
                    .directHandlers(DirectErrors.handlers())
                    .routing(routing -> routes(routing, guard, drain, bodies, services, mcp))
                    .build()
                    .start();
            if (server.port() < 1) {
                mcp.close();
                server.stop();
                throw new SandboxFailureException("cannot listen on " + config.host() + ":" + config.port()
                        + " (is the port in use by another program, e.g. another agentkernel daemon?)");
            }
            return new HelidonApiServer(server, drain, mcp);
        } catch (SandboxFailureException e) {
            throw e;
        } catch (RuntimeException e) {
            mcp.close();
            throw new SandboxFailureException("cannot listen on " + config.host() + ":" + config.port() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    private static void routes(HttpRouting.Builder routing, RequestGuard guard, Drain drain, Bodies bodies,
                               ApiServices services, McpEndpoint mcp) {
        RunRoutes run = new RunRoutes(services.runs(), bodies, services.outputSpool());
        SandboxRoutes sandboxes = new SandboxRoutes(services.sandboxes(), bodies, services.outputSpool());
        FileRoutes files = new FileRoutes(services.sandboxes(), bodies, services.spoolDir(), services.maxFileBytes());
        StatusRoutes status = new StatusRoutes(services);
        AttachRoutes attach = new AttachRoutes(services.sandboxes(), bodies);
        SessionRoutes sessions = new SessionRoutes(services.sessions(), bodies, java.time.Clock.systemUTC());
        TaskRoutes tasks = new TaskRoutes(services.tasks(), bodies);
        ToolRoutes tools = new ToolRoutes(services.tools());
        routing.addFilter((chain, req, res) -> {
            if (!drain.enter()) {
                res.header(HeaderNames.CONNECTION, "close");
                send(res, 503, Json.error("the server is shutting down; retry against the next one", "shutting_down"));
                return;
            }
            try {
                java.util.Optional<RequestGuard.Refusal> refusal = guard.check(req);
                if (refusal.isPresent()) {
                    RequestGuard.Refusal r = refusal.get();
                    if (r.close()) {
                        res.header(HeaderNames.CONNECTION, "close");
                    }
                    send(res, r.status(), Json.error(r.message(), r.code()));
                    if (r.close()) {
                        // The body's framing is unknown: nothing after it on this connection can be trusted.
                        throw new CloseConnectionException("request refused: " + r.message());
                    }
                    return;
                }
                guard.corsHeaders(req, res);
                if (RequestGuard.isPreflight(req)) {
                    res.status(204).send();
                    return;
                }
                chain.proceed();
            } finally {
                drain.exit();
            }
        });
        routing.get("/health", (req, res) -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("success", true);
            body.put("data", "ok");
            body.put("status", "ok");
            res.header(HeaderNames.CONTENT_TYPE, "application/json").send(Json.MAPPER.writeValueAsBytes(body));
        });
        routing.get("/status", status::status);
        routing.post("/run", run::run);
        routing.post("/run/stream", run::stream);
        routing.post("/batch/run", run::batch);
        routing.get("/sandboxes", sandboxes::list);
        routing.post("/sandboxes", sandboxes::create);
        routing.get("/sandboxes/{name}", sandboxes::get);
        routing.delete("/sandboxes/{name}", sandboxes::delete);
        routing.post("/sandboxes/{name}/exec", sandboxes::exec);
        routing.post("/sandboxes/{name}/exec/stream", sandboxes::execStream);
        routing.post("/sandboxes/{name}/start", sandboxes::start);
        routing.post("/sandboxes/{name}/stop", sandboxes::stop);
        routing.get("/sandboxes/{name}/logs", sandboxes::logs);
        routing.put("/sandboxes/{name}/files/{+path}", files::write);
        routing.get("/sandboxes/{name}/files/{+path}", files::read);
        routing.delete("/sandboxes/{name}/files/{+path}", files::delete);
        routing.post("/sandboxes/{name}/attach", attach::open);
        routing.get("/attach/{id}/events", attach::events);
        routing.post("/attach/{id}/input", attach::input);
        routing.post("/attach/{id}/resize", attach::resize);
        routing.delete("/attach/{id}", attach::close);
        routing.get("/audit", sandboxes::audit);
        routing.post("/execute", sessions::execute);
        routing.get("/sessions", sessions::list);
        routing.post("/sessions", sessions::create);
        routing.get("/sessions/{id}", sessions::get);
        routing.delete("/sessions/{id}", sessions::delete);
        routing.get("/stats", sessions::stats);
        routing.post("/maintenance/pause", sessions::pause);
        routing.post("/maintenance/resume", sessions::resume);
        routing.post("/tasks", tasks::dispatch);
        routing.get("/tasks", tasks::list);
        routing.get("/tasks/{id}", tasks::get);
        routing.delete("/tasks/{id}", tasks::cancel);
        routing.post("/tasks/{id}/wait", tasks::await);
        routing.get("/tasks/{id}/wait", tasks::await);
        routing.post("/tasks/{id}/cancel", tasks::cancel);
        mcp.routes(routing);
        routing.get("/tools", tools::search);
        routing.delete("/tools/cache", tools::clearCache);
        routing.any((req, res) -> send(res, 404, Json.error("no route for " + req.prologue().method().text() + " "
                + req.path().path(), "no_route")));
        routing.error(Throwable.class, (req, res, e) -> {
            int code = HttpErrors.status(e);
            if (HttpErrors.isShutdown(e) || e instanceof HttpErrors.MalformedBodyException) {
                res.header(HeaderNames.CONNECTION, "close");
            } else if (code >= 500) {
                LOG.log(System.Logger.Level.WARNING, "request " + req.path().path() + " failed", e);
            }
            if (!res.isSent()) {
                send(res, code, Json.error(HttpErrors.message(e), HttpErrors.code(e)));
            }
            if (e instanceof HttpErrors.MalformedBodyException) {
                throw new CloseConnectionException("malformed request body");
            }
        });
    }

    private static void send(ServerResponse res, int status, byte[] body) {
        res.status(status).header(HeaderNames.CONTENT_TYPE, "application/json").send(body);
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public boolean drain(Duration grace) {
        mcp.endListeningStreams();
        return drain.drain(grace);
    }

    @Override
    public void close() {
        mcp.close();
        try {
            server.stop();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "stopping the server failed", e);
        }
    }
}
