package dev.agentkernel.server;

import dev.agentkernel.api.StatusView;
import dev.agentkernel.core.pool.PoolKey;
import dev.agentkernel.core.pool.PoolStats;
import dev.agentkernel.core.sandbox.SandboxInfo;
import dev.agentkernel.core.sandbox.SandboxState;
import dev.agentkernel.image.StoreUsage;
import dev.agentkernel.model.AgentKernelException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code GET /status}: version, uptime, backend, runs, warm pool, sandboxes, sessions and the image store. Package-private. */
final class StatusRoutes {

    private final ApiServices services;

    StatusRoutes(ApiServices services) {
        this.services = services;
    }

    void status(ServerRequest req, ServerResponse res) {
        String version = StatusRoutes.class.getPackage().getImplementationVersion();
        StatusView.Pool pool = StatusView.Pool.DISABLED;
        if (services.pool().isPresent()) {
            PoolStats<PoolKey> stats = services.pool().get().stats();
            List<StatusView.Key> keys = new ArrayList<>();
            for (PoolStats.KeyStats<PoolKey> key : stats.keys()) {
                keys.add(new StatusView.Key(key.key().image().orElse("default"), key.key().profile().id(), key.ready(),
                        key.starting()));
            }
            pool = new StatusView.Pool(stats.enabled(), stats.targetPerKey(), stats.served(), stats.missed(), keys);
        }
        int total = 0;
        int running = 0;
        for (SandboxInfo info : services.sandboxes().list()) {
            total++;
            if (info.status() != SandboxState.STOPPED) { // a paused sandbox runs (its processes are frozen)
                running++;
            }
        }
        Json.send(res, 200, new StatusView(version == null ? "dev" : version,
                Duration.between(services.startedAt(), Instant.now()).toMillis(), services.backend(),
                new StatusView.Runs(services.runs().running(), services.runs().maxConcurrent()), pool,
                new StatusView.Sandboxes(total, running, total - running),
                new StatusView.Sessions(services.sessions().list().size(), services.sessions().settings().maxSessions()),
                images()));
    }

    /** The image store's size, or null (and a warning in the log) when it cannot be measured. */
    private StatusView.Images images() {
        try {
            StoreUsage usage = services.images().usage();
            return new StatusView.Images(usage.images(), usage.layers(), usage.totalBytes());
        } catch (AgentKernelException e) {
            System.getLogger(StatusRoutes.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot measure the image store: " + e.getMessage());
            return null;
        }
    }
}
