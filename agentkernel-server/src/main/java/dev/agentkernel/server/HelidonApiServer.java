package dev.agentkernel.server;

import dev.agentkernel.core.run.RunService;
import dev.agentkernel.model.SandboxFailureException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@link ApiServer} on Helidon WebServer 4 (a virtual thread per request). Package-private. */
final class HelidonApiServer implements ApiServer {

    private static final System.Logger LOG = System.getLogger(HelidonApiServer.class.getName());
    /** Helidon reports its features at INFO on every start; only warnings matter to users. Held strongly. */
    private static final java.util.logging.Logger HELIDON_LOG = java.util.logging.Logger.getLogger("io.helidon");
    private final WebServer server;

    private HelidonApiServer(WebServer server) {
        this.server = server;
    }

    static ApiServer start(ServerConfig config, RunService runs) {
        HELIDON_LOG.setLevel(java.util.logging.Level.WARNING);
        ApiKeys keys = new ApiKeys(config.apiKeys());
        Bodies bodies = new Bodies(config.maxBodyBytes());
        RunRoutes runRoutes = new RunRoutes(runs, bodies);
        try {
            WebServer server = WebServer.builder()
                    .host(config.host())
                    .port(config.port())
                    .maxPayloadSize(-1)
                    .routing(routing -> routes(routing, keys, runRoutes, runs))
                    .build()
                    .start();
            return new HelidonApiServer(server);
        } catch (RuntimeException e) {
            throw new SandboxFailureException("cannot listen on " + config.host() + ":" + config.port() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    private static void routes(HttpRouting.Builder routing, ApiKeys keys, RunRoutes runRoutes, RunService runs) {
        routing.addFilter((chain, req, res) -> {
            String path = req.path().path();
            if (keys.enabled() && !path.equals("/health") && !keys.accepts(req)) {
                send(res, 401, Json.error("missing or invalid API key: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'"));
                return;
            }
            chain.proceed();
        });
        routing.get("/health", (req, res) -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("success", true);
            body.put("data", "ok");
            body.put("status", "ok");
            res.header(HeaderNames.CONTENT_TYPE, "application/json").send(Json.MAPPER.writeValueAsBytes(body));
        });
        routing.post("/run", runRoutes::run);
        routing.post("/run/stream", runRoutes::stream);
        routing.post("/batch/run", runRoutes::batch);
        routing.any((req, res) -> send(res, 404, Json.error("no route for " + req.prologue().method().text() + " "
                + req.path().path())));
        routing.error(Throwable.class, (req, res, e) -> {
            int status = HttpErrors.status(e);
            if (status >= 500) {
                LOG.log(System.Logger.Level.WARNING, "request " + req.path().path() + " failed", e);
            }
            if (!res.isSent()) {
                send(res, status, Json.error(HttpErrors.message(e)));
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
    public void close() {
        try {
            server.stop();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "stopping the server failed", e);
        }
    }
}
