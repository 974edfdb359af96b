package dev.agentkernel.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.core.pool.PoolKey;
import dev.agentkernel.core.pool.PoolStats;
import dev.agentkernel.core.sandbox.SandboxInfo;
import dev.agentkernel.core.sandbox.SandboxState;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.Instant;

/** {@code GET /status}: version, uptime, backend, runs, warm pool and sandboxes. Package-private. */
final class StatusRoutes {

    private final ApiServices services;

    StatusRoutes(ApiServices services) {
        this.services = services;
    }

    void status(ServerRequest req, ServerResponse res) {
        ObjectNode data = Json.MAPPER.createObjectNode();
        String version = StatusRoutes.class.getPackage().getImplementationVersion();
        data.put("version", version == null ? "dev" : version);
        data.put("uptime_ms", Duration.between(services.startedAt(), Instant.now()).toMillis());
        data.put("backend", services.backend());
        ObjectNode runs = data.putObject("runs");
        runs.put("running", services.runs().running());
        runs.put("max", services.runs().maxConcurrent());
        ObjectNode pool = data.putObject("pool");
        if (services.pool().isPresent()) {
            PoolStats<PoolKey> stats = services.pool().get().stats();
            pool.put("enabled", stats.enabled());
            pool.put("target_per_key", stats.targetPerKey());
            pool.put("served", stats.served());
            pool.put("missed", stats.missed());
            ArrayNode keys = pool.putArray("keys");
            for (PoolStats.KeyStats<PoolKey> key : stats.keys()) {
                ObjectNode k = keys.addObject();
                k.put("image", key.key().image().orElse("default"));
                k.put("profile", key.key().profile().id());
                k.put("ready", key.ready());
                k.put("starting", key.starting());
            }
        } else {
            pool.put("enabled", false);
        }
        int total = 0;
        int running = 0;
        for (SandboxInfo info : services.sandboxes().list()) {
            total++;
            if (info.status() == SandboxState.RUNNING) {
                running++;
            }
        }
        ObjectNode sandboxes = data.putObject("sandboxes");
        sandboxes.put("total", total);
        sandboxes.put("running", running);
        sandboxes.put("stopped", total - running);
        ObjectNode sessions = data.putObject("sessions");
        sessions.put("active", services.sessions().list().size());
        sessions.put("max", services.sessions().settings().maxSessions());
        SandboxRoutes.send(res, 200, data);
    }
}
