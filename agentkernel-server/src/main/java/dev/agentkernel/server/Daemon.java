package dev.agentkernel.server;

import dev.agentkernel.agent.AgentBinary;
import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.policy.HostMountPolicy;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.pool.PoolKey;
import dev.agentkernel.core.pool.WarmPool;
import dev.agentkernel.core.run.RunService;
import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.store.Database;
import dev.agentkernel.store.SqliteAuditLog;
import dev.agentkernel.store.SqliteSandboxStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The daemon: the composition root that opens the isolation backend, the state database,
 * persistent sandboxes (started again if they were running when the last daemon ended),
 * the warm pool and the HTTP API, and shuts them down in order.
 *
 * <p>State lives in the host's state directory: {@code agentkernel.db} (SQLite: sandboxes and
 * the audit log) and {@code sandboxes/<name>/} (each persistent sandbox's files).
 */
public final class Daemon implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());

    private final DaemonConfig config;
    private final IsolationBackend backend;
    private final Database database;
    private final SandboxManager sandboxes;
    private final Optional<WarmPool<AgentSandbox>> pool;
    private final RunService runs;
    private final ApiServer server;
    private final List<String> restarted;
    private boolean closed;

    private Daemon(DaemonConfig config, IsolationBackend backend, Database database, SandboxManager sandboxes,
                   Optional<WarmPool<AgentSandbox>> pool, RunService runs, ApiServer server, List<String> restarted) {
        this.config = config;
        this.backend = backend;
        this.database = database;
        this.sandboxes = sandboxes;
        this.pool = pool;
        this.runs = runs;
        this.server = server;
        this.restarted = restarted;
    }

    /**
     * Starts everything on {@code host}.
     *
     * @throws dev.agentkernel.model.AgentKernelException if any part cannot start; what started is closed again
     */
    public static Daemon start(DaemonConfig config, HostContext host) {
        Instant startedAt = Instant.now();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            IsolationBackend backend = BackendSelector.discover().open(config.backend(), host);
            opened.add(backend);
            Path agent = AgentBinary.extractTo(host.runtimeDir().resolve("agent"));
            Database database = Database.open(host.stateDir().resolve("agentkernel.db"));
            opened.add(database);
            PolicyResolver resolver = new PolicyResolver(host);
            SandboxManager sandboxes = new SandboxManager(backend, resolver, new SqliteSandboxStore(database),
                    new SqliteAuditLog(database), host.stateDir().resolve("sandboxes"), agent, config.maxSandboxes(),
                    config.defaultTimeout(), new HostMountPolicy(config.allowedDirs(),
                            List.of(host.stateDir(), host.runtimeDir())));
            opened.add(sandboxes);
            Optional<WarmPool<AgentSandbox>> pool = Optional.empty();
            if (config.poolSize() > 0) {
                WarmPool<AgentSandbox> warm = new WarmPool<>(
                        key -> AgentSandbox.launch(backend, resolver.resolve(options(key)), agent), AgentSandbox::isAlive,
                        config.poolSize(), Math.max(1, host.cpus()), 8, Duration.ofMinutes(10));
                warm.warm(new PoolKey(Optional.empty(), Profile.MODERATE));
                pool = Optional.of(warm);
                opened.add(warm);
            }
            RunService runs = new RunService(backend, resolver, config.maxSandboxes(), config.defaultTimeout(), pool);
            List<String> restarted = sandboxes.recover();
            ApiServices services = new ApiServices(runs, sandboxes, pool, backend.name(),
                    host.runtimeDir().resolve("spool"), config.maxFileBytes(), startedAt);
            ApiServer server = ApiServer.start(config.server(), services);
            return new Daemon(config, backend, database, sandboxes, pool, runs, server, restarted);
        } catch (RuntimeException e) {
            for (AutoCloseable c : opened.reversed()) {
                closeQuietly(c);
            }
            throw e;
        }
    }

    private static SandboxRequest options(PoolKey key) {
        SandboxRequest options = SandboxRequest.defaults().withProfile(key.profile());
        return key.image().isPresent() ? options.withImage(key.image().get()) : options;
    }

    /** The port the API listens on. */
    public int port() {
        return server.port();
    }

    /** The isolation backend's name. */
    public String backendName() {
        return backend.name();
    }

    /** Persistent sandboxes started again because they ran when the last daemon ended. */
    public List<String> restarted() {
        return restarted;
    }

    /** One-off runs (for tests and benchmarks in this process). */
    public RunService runs() {
        return runs;
    }

    /** Persistent sandboxes. */
    public SandboxManager sandboxes() {
        return sandboxes;
    }

    /** The warm pool, when on. */
    public Optional<WarmPool<AgentSandbox>> pool() {
        return pool;
    }

    /**
     * Shuts down gracefully: new requests get 503, running ones get the configured grace
     * period, then the server stops (commands still running are killed), the pool's sandboxes
     * are destroyed and persistent sandboxes are stopped, keeping their records so the next
     * daemon starts them again. Idempotent; never throws.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!server.drain(config.shutdownGrace())) {
            LOG.log(System.Logger.Level.WARNING, "requests still running after " + config.shutdownGrace().toSeconds()
                    + " s; stopping them");
        }
        server.close();
        pool.ifPresent(Daemon::closeQuietly);
        closeQuietly(sandboxes);
        closeQuietly(backend);
        closeQuietly(database);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + c.getClass().getSimpleName() + " failed: " + e.getMessage());
        }
    }
}
