package dev.agentkernel.server;

import dev.agentkernel.model.SandboxFailureException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import dev.agentkernel.api.ApiRoutes;
import dev.agentkernel.api.ErrorCode;
import dev.agentkernel.api.HealthBody;
import dev.agentkernel.api.OpenApi;
import dev.agentkernel.api.WireJson;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import dev.agentkernel.core.audit.RequestId;
import dev.agentkernel.core.metrics.Metric;
import io.helidon.http.HeaderName;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@link ApiServer} on Helidon WebServer 4 (a virtual thread per request). Package-private. */
final class HelidonApiServer implements ApiServer {

    private static final System.Logger LOG = System.getLogger(HelidonApiServer.class.getName());
    /** Helidon reports its features at INFO on every start; only warnings matter to users. Held strongly. */
    private static final java.util.logging.Logger HELIDON_LOG = java.util.logging.Logger.getLogger("io.helidon");
    private static final HeaderName REQUEST_ID = HeaderNames.create(RequestId.HEADER);
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
        SandboxRoutes sandboxes = new SandboxRoutes(services.sandboxes(), services.snapshots(), bodies,
                services.outputSpool());
        SnapshotRoutes snapshots = new SnapshotRoutes(services.snapshots(), bodies);
        FileRoutes files = new FileRoutes(services.sandboxes(), bodies, services.spoolDir(), services.maxFileBytes());
        StatusRoutes status = new StatusRoutes(services);
        AttachRoutes attach = new AttachRoutes(services.sandboxes(), bodies);
        SessionRoutes sessions = new SessionRoutes(services.sessions(), bodies, java.time.Clock.systemUTC());
        TaskRoutes tasks = new TaskRoutes(services.tasks(), bodies);
        ToolRoutes tools = new ToolRoutes(services.tools());
        ImageRoutes images = new ImageRoutes(services.images(), bodies);
        VolumeRoutes volumes = new VolumeRoutes(services.sandboxes().volumes(), bodies);
        SecretRoutes secrets = new SecretRoutes(services.secrets(), bodies);
        RouteTemplates templates = new RouteTemplates(ApiRoutes.all());
        routing.addFilter((chain, req, res) -> {
            // Every request has an id (its own if well-formed), answered in X-Request-Id and bound while it is
            // served, so that its log lines and audit events carry it; then one access log line and its metrics.
            long begin = System.nanoTime();
            String requestId = RequestId.of(req.headers().first(REQUEST_ID).orElse(null));
            res.header(REQUEST_ID, requestId);
            ScopedValue.where(RequestId.CURRENT, requestId).run(() -> {
                try {
                    guarded(chain, req, res, guard, drain);
                } finally {
                    observe(req, res, templates, services.metrics(), Duration.ofNanos(System.nanoTime() - begin));
                }
            });
        });
        Map<String, Handler> handlers = new LinkedHashMap<>();
        handlers.put("GET /health", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "application/json")
                .send(WireJson.bytes(HealthBody.OK)));
        handlers.put("GET /metrics", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, PrometheusMetrics.CONTENT_TYPE)
                .send(services.metrics().scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        byte[] openApi = WireJson.bytes(OpenApi.document(version()));
        handlers.put("GET /openapi.json", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "application/json")
                .send(openApi));
        handlers.put("GET /status", status::status);
        handlers.put("POST /run", run::run);
        handlers.put("POST /run/stream", run::stream);
        handlers.put("POST /batch/run", run::batch);
        handlers.put("GET /sandboxes", sandboxes::list);
        handlers.put("POST /sandboxes", sandboxes::create);
        handlers.put("GET /sandboxes/by-uuid/{uuid}", sandboxes::getByUuid);
        handlers.put("GET /snapshots", snapshots::list);
        handlers.put("POST /snapshots", snapshots::take);
        handlers.put("GET /snapshots/{snapshot}", snapshots::get);
        handlers.put("DELETE /snapshots/{snapshot}", snapshots::delete);
        handlers.put("POST /snapshots/{snapshot}/restore", snapshots::restore);
        handlers.put("POST /sandboxes/{name}/fork", snapshots::fork);
        handlers.put("GET /sandboxes/{name}", sandboxes::get);
        handlers.put("POST /sandboxes/{name}/extend", sandboxes::extend);
        handlers.put("POST /sandboxes/{name}/files", files::writeMany);
        handlers.put("DELETE /sandboxes/{name}", sandboxes::delete);
        handlers.put("POST /sandboxes/{name}/exec", sandboxes::exec);
        handlers.put("POST /sandboxes/{name}/exec/stream", sandboxes::execStream);
        handlers.put("POST /sandboxes/{name}/start", sandboxes::start);
        handlers.put("POST /sandboxes/{name}/stop", sandboxes::stop);
        handlers.put("POST /sandboxes/{name}/pause", sandboxes::pause);
        handlers.put("POST /sandboxes/{name}/resume", sandboxes::resume);
        handlers.put("GET /sandboxes/{name}/logs", sandboxes::logs);
        handlers.put("PUT /sandboxes/{name}/files/{+path}", files::write);
        handlers.put("GET /sandboxes/{name}/files/{+path}", files::read);
        handlers.put("DELETE /sandboxes/{name}/files/{+path}", files::delete);
        handlers.put("POST /sandboxes/{name}/attach", attach::open);
        handlers.put("GET /attach/{id}/events", attach::events);
        handlers.put("POST /attach/{id}/input", attach::input);
        handlers.put("POST /attach/{id}/resize", attach::resize);
        handlers.put("DELETE /attach/{id}", attach::close);
        handlers.put("GET /audit", sandboxes::audit);
        handlers.put("POST /execute", sessions::execute);
        handlers.put("GET /sessions", sessions::list);
        handlers.put("POST /sessions", sessions::create);
        handlers.put("GET /sessions/{id}", sessions::get);
        handlers.put("DELETE /sessions/{id}", sessions::delete);
        handlers.put("GET /stats", sessions::stats);
        handlers.put("POST /maintenance/pause", sessions::pause);
        handlers.put("POST /maintenance/resume", sessions::resume);
        handlers.put("POST /tasks", tasks::dispatch);
        handlers.put("GET /tasks", tasks::list);
        handlers.put("GET /tasks/{id}", tasks::get);
        handlers.put("DELETE /tasks/{id}", tasks::cancel);
        handlers.put("POST /tasks/{id}/wait", tasks::await);
        handlers.put("GET /tasks/{id}/wait", tasks::await);
        handlers.put("POST /tasks/{id}/cancel", tasks::cancel);
        mcp.handlers().forEach(handlers::put);
        handlers.put("GET /images", images::list);
        handlers.put("POST /images/pull", images::pull);
        handlers.put("DELETE /images/{+ref}", images::remove);
        DetachedRoutes detached = new DetachedRoutes(services.sandboxes(), bodies, drain::draining);
        handlers.put("POST /sandboxes/{name}/exec/detach", detached::start);
        handlers.put("GET /sandboxes/{name}/exec/detached", detached::list);
        handlers.put("GET /sandboxes/{name}/exec/detached/{id}", detached::get);
        handlers.put("DELETE /sandboxes/{name}/exec/detached/{id}", detached::kill);
        handlers.put("GET /sandboxes/{name}/exec/detached/{id}/logs", detached::logs);
        handlers.put("GET /tools", tools::search);
        handlers.put("DELETE /tools/cache", tools::clearCache);
        // ---- named volumes (issue 15, point 6) ----
        handlers.put("POST /volumes", volumes::create);
        handlers.put("GET /volumes", volumes::list);
        handlers.put("GET /volumes/{name}", volumes::get);
        handlers.put("DELETE /volumes/{name}", volumes::delete);
        // ---- secrets (issue 16) ----
        handlers.put("PUT /secrets/{name}", secrets::set);
        handlers.put("GET /secrets", secrets::list);
        handlers.put("GET /secrets/{name}", secrets::get);
        handlers.put("DELETE /secrets/{name}", secrets::delete);
        register(routing, handlers);
        new ConsoleRoutes().register(routing); // the web console's static files (not API routes)
        routing.any((req, res) -> send(res, 404, WireJson.error(ErrorCode.NO_ROUTE, "no route for "
                + req.prologue().method().text() + " " + req.path().path())));
        routing.error(Throwable.class, (req, res, e) -> {
            ErrorCode errorCode = HttpErrors.code(e);
            int code = errorCode.status();
            if (HttpErrors.isShutdown(e) || e instanceof HttpErrors.MalformedBodyException) {
                res.header(HeaderNames.CONNECTION, "close");
            } else if (code >= 500) {
                LOG.log(System.Logger.Level.WARNING, "request " + req.path().path() + " failed", e);
            }
            if (!res.isSent()) {
                send(res, code, WireJson.error(errorCode, HttpErrors.message(e)));
            }
            if (e instanceof HttpErrors.MalformedBodyException) {
                throw new CloseConnectionException("malformed request body");
            }
        });
    }

    /** What the one filter does for each request: drain, {@link RequestGuard}, CORS, then the route. */
    private static void guarded(io.helidon.webserver.http.FilterChain chain, io.helidon.webserver.http.RoutingRequest req,
                                io.helidon.webserver.http.RoutingResponse res, RequestGuard guard, Drain drain) {
        if (!drain.enter()) {
            res.header(HeaderNames.CONNECTION, "close");
            send(res, 503, WireJson.error(ErrorCode.SHUTTING_DOWN, "the server is shutting down; retry against the next one"));
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
    }

    /** The access log line and the request's metrics (by route template, never by raw path). */
    private static void observe(ServerRequest req, ServerResponse res, RouteTemplates templates, PrometheusMetrics metrics,
                                Duration duration) {
        String method = req.prologue().method().text();
        String route = templates.match(method, req.path().path()).map(ApiRoutes.Route::path)
                .orElse(RouteTemplates.UNMATCHED);
        int status = res.status().code();
        metrics.time(Metric.HTTP_REQUESTS, duration, RouteTemplates.methodLabel(method), route, Integer.toString(status));
        AccessLog.log(method, req.path().path(), route, status, duration);
    }

    /**
     * Registers every route of {@link ApiRoutes} with its handler: a route of the table without a
     * handler, or a handler for no route of the table, is a programming error that stops the server.
     */
    static void register(HttpRouting.Builder routing, Map<String, Handler> handlers) {
        java.util.Set<String> unrouted = new java.util.TreeSet<>(handlers.keySet());
        for (ApiRoutes.Route route : ApiRoutes.all()) {
            Handler handler = handlers.get(route.id());
            if (handler == null) {
                throw new IllegalStateException("no handler for the route " + route.id() + " of ApiRoutes");
            }
            unrouted.remove(route.id());
            routing.route(io.helidon.http.Method.create(route.method()), route.path(), handler);
        }
        if (!unrouted.isEmpty()) {
            throw new IllegalStateException("handlers for routes ApiRoutes does not have: " + unrouted);
        }
    }

    /** The server's version, as the jar's manifest gives it ({@code dev} when run from classes). */
    static String version() {
        String version = HelidonApiServer.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
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
