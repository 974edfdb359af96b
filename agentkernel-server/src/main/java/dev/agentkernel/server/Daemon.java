package dev.agentkernel.server;

import dev.agentkernel.core.host.HostExecutables;
import dev.agentkernel.core.image.HostImages;
import dev.agentkernel.core.image.ImageRoots;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.core.session.DriverFiles;
import dev.agentkernel.core.session.HostCapacity;
import dev.agentkernel.core.session.InterpreterLauncher;
import dev.agentkernel.core.session.SessionManager;
import dev.agentkernel.core.snapshot.SnapshotService;
import dev.agentkernel.core.session.SessionSettings;
import dev.agentkernel.core.task.SandboxTaskRunner;
import dev.agentkernel.core.task.TaskManager;
import dev.agentkernel.core.tools.ToolLibraries;
import dev.agentkernel.store.SqliteTaskStore;
import dev.agentkernel.model.Mount;
import dev.agentkernel.core.metrics.Metric;
import dev.agentkernel.core.metrics.Metrics;
import java.nio.file.Path;
import java.time.Clock;
import dev.agentkernel.core.backend.BackendRouter;
import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.disk.DiskReclaimer;
import dev.agentkernel.core.disk.DiskSupport;
import dev.agentkernel.core.task.TaskWorkspace;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.policy.HostMountPolicy;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.pool.PoolKey;
import dev.agentkernel.core.pool.WarmPool;
import dev.agentkernel.core.run.RunService;
import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.core.secret.SecretKeyFile;
import dev.agentkernel.core.secret.SecretManager;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.store.Database;
import dev.agentkernel.store.SqliteAuditLog;
import dev.agentkernel.store.SqliteSandboxStore;
import dev.agentkernel.store.SqliteSecretStore;
import dev.agentkernel.store.SqliteSnapshotStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The daemon: the composition root that opens the isolation backend, the state database,
 * persistent sandboxes (started again if they were running when the last daemon ended),
 * the image store ({@code STATE/images}, through {@link HostImages}), the warm pool and the HTTP API, and shuts them down in order.
 *
 * <p>State lives in the host's state directory: {@code agentkernel.db} (SQLite: sandboxes, tasks and
 * the audit log, pruned by {@link RetentionConfig} at start and every hour), {@code sandboxes/<name>/} (each persistent sandbox's files) and
 * {@code sessions/i-<hex>/} (each code session's files, removed with the session; what a dead
 * daemon left there is removed at start).
 */
public final class Daemon implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());
    /** How often sandboxes past their time to live are looked for (and removed). */
    static final java.time.Duration SANDBOX_EXPIRY_CHECK = java.time.Duration.ofSeconds(1);

    private final DaemonConfig config;
    private final IsolationBackend backend;
    private final Database database;
    private final RetentionSweeper retention;
    private final SandboxManager sandboxes;
    private final Optional<WarmPool<PoolKey, AgentSandbox>> pool;
    private final RunService runs;
    private final SessionManager sessions;
    private final TaskManager tasks;
    private final TaskWorkspace workspace;
    private final ImageService images;
    private final SecretManager secrets;
    private final ApiServer server;
    private final List<String> restarted;
    private final dev.agentkernel.core.host.StateLock lock;
    private boolean closed;

    private Daemon(DaemonConfig config, IsolationBackend backend, Database database, RetentionSweeper retention,
                   SandboxManager sandboxes,
                   Optional<WarmPool<PoolKey, AgentSandbox>> pool, RunService runs, SessionManager sessions,
                   TaskManager tasks, TaskWorkspace workspace, ImageService images, SecretManager secrets,
                   ApiServer server, List<String> restarted, dev.agentkernel.core.host.StateLock lock) {
        this.lock = lock;
        this.workspace = workspace;
        this.secrets = secrets;
        this.images = images;
        this.config = config;
        this.backend = backend;
        this.database = database;
        this.retention = retention;
        this.sandboxes = sandboxes;
        this.pool = pool;
        this.runs = runs;
        this.sessions = sessions;
        this.tasks = tasks;
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
            // first: a second daemon on this state directory would take the first one's disks and session
            // directories for what a dead daemon left
            dev.agentkernel.core.host.StateLock lock = dev.agentkernel.core.host.StateLock.acquire(host.stateDir());
            opened.add(lock);
            BackendSelector selector = BackendSelector.discover();
            BackendRouter backend = new BackendRouter(selector.open(config.backend(), host), selector, host);
            opened.add(backend);
            PrometheusMetrics metrics = new PrometheusMetrics();
            // every pull counted, whoever asks (the API, MCP, a sandbox that names an image not stored)
            ImageService images = new dev.agentkernel.core.image.CountedImageService(HostImages.open(host), metrics);
            opened.add(images);
            Database database = Database.open(host.stateDir().resolve("agentkernel.db"));
            opened.add(database);
            DiskSupport disks = DiskSupport.detect(host);
            if (disks.enforced()) {
                DiskReclaimer.reclaim(host.stateDir()); // what a daemon that died left mounted or attached
            }
            HostMountPolicy mountPolicy = new HostMountPolicy(config.allowedDirs(), List.of(host.stateDir(), host.runtimeDir()));
            PolicyResolver resolver = new PolicyResolver(host, homeAllowed(mountPolicy),
                    new ImageRoots(images, ImageRoots.dirOf(host.stateDir()))).withEgressDefaults(config.egress());
            SqliteAuditLog stored = new SqliteAuditLog(database);
            // audit events counted by type and stamped with the id of the request that caused them
            dev.agentkernel.core.audit.AuditLog audit = new dev.agentkernel.core.audit.InstrumentedAuditLog(stored, metrics);
            backend.egressEvents(new dev.agentkernel.core.egress.EgressAudit(audit)); // refused connections are audited
            SqliteTaskStore taskStore = new SqliteTaskStore(database);
            RetentionSweeper retention = new RetentionSweeper(config.retention(), stored, taskStore, Clock.systemUTC()).start();
            opened.add(retention);
            // named volumes (issue 15, point 6): closed after the sandboxes that hold them
            dev.agentkernel.core.volume.VolumeManager volumes = new dev.agentkernel.core.volume.VolumeManager(
                    new dev.agentkernel.store.SqliteVolumeStore(database), audit, host.stateDir().resolve("volumes"),
                    disks);
            opened.add(volumes);
            // secrets (issue 16): encrypted in the database, the key in STATE/secrets.key (a refused key file stops here)
            SecretManager secrets = new SecretManager(new SqliteSecretStore(database), audit,
                    host.stateDir().resolve(SecretKeyFile.NAME));
            SandboxManager sandboxes = new SandboxManager(backend, resolver, new SqliteSandboxStore(database),
                    audit, host.stateDir().resolve("sandboxes"), config.maxSandboxes(),
                    config.defaultTimeout(), mountPolicy, disks, volumes, config.pausing(), java.util.Optional.of(secrets),
                    metrics);
            opened.add(sandboxes);
            SessionManager sessions = sessions(config.sessions(), config.tasks(), backend, resolver, host, mountPolicy,
                    disks, metrics);
            opened.add(sessions);
            TaskWorkspace workspace = config.tasks().workspace().map(TaskWorkspace::configured)
                    .orElseGet(() -> TaskWorkspace.ofState(host.stateDir().resolve("workspace"), defaultDisk(disks)));
            opened.add(workspace::close);
            TaskManager tasks = tasks(config.tasks(), backend, resolver, workspace, taskStore);
            opened.add(tasks);
            Optional<WarmPool<PoolKey, AgentSandbox>> pool = Optional.empty();
            if (config.poolSize() > 0) {
                WarmPool<PoolKey, AgentSandbox> warm = new WarmPool<>(
                        key -> {
                            SandboxSpec spec = resolver.resolve(options(key));
                            long starting = System.nanoTime();
                            String outcome = "error";
                            try {
                                AgentSandbox box = AgentSandbox.launch(backend, spec, resolver.lease(spec, "warm pool"));
                                outcome = "ok";
                                return box;
                            } finally {
                                metrics.time(Metric.SANDBOX_STARTS, Duration.ofNanos(System.nanoTime() - starting),
                                        "prestart", "cold", spec.backend().orElse(backend.name()), outcome);
                            }
                        }, AgentSandbox::isAlive,
                        config.poolSize(), Math.max(1, host.cpus()), 8, Duration.ofMinutes(10));
                // in the background: resolving the default image may mean pulling it
                Thread.ofVirtual().name("pool-warm-default").start(() -> {
                    try {
                        warm.warm(PoolKey.of(resolver.resolve(SandboxRequest.defaults().withProfile(Profile.MODERATE))));
                    } catch (RuntimeException e) {
                        // the default image is not usable (yet): requests warm the pool for their own images
                        System.err.println("agentkernel: the warm pool starts empty: " + e.getMessage());
                    }
                });
                pool = Optional.of(warm);
                opened.add(warm);
            }
            RunService runs = new RunService(backend, resolver, config.maxSandboxes(), config.defaultTimeout(), pool,
                    metrics);
            DaemonGauges.register(metrics, sandboxes, pool, sessions, tasks, backend.name());
            List<String> restarted = sandboxes.recover();
            sandboxes.startExpiry(SANDBOX_EXPIRY_CHECK);
            SnapshotService snapshots = new SnapshotService(sandboxes, images, new SqliteSnapshotStore(database), audit,
                    host.stateDir().resolve("spool").resolve("snapshots"));
            ApiServices services = new ApiServices(runs, sandboxes, pool, sessions, tasks,
                    new ToolLibraries(config.tasks().toolsDir()), backend.name(),
                    host.runtimeDir().resolve("spool"), config.maxFileBytes(), startedAt, outputSpool(host), images,
                    snapshots, secrets, metrics);
            ApiServer server = ApiServer.start(config.server(), services);
            return new Daemon(config, backend, database, retention, sandboxes, pool, runs, sessions, tasks, workspace,
                    images, secrets, server, restarted, lock);
        } catch (RuntimeException e) {
            for (AutoCloseable c : opened.reversed()) {
                closeQuietly(c);
            }
            throw e;
        }
    }

    /**
     * Sessions see the configured volumes, the configured workspace (if any) as their
     * {@code /workspace} and the tool libraries (if any) read-only at {@code /tools}.
     */
    private static SessionManager sessions(SessionSettings settings, TaskConfig tasks, IsolationBackend backend,
                                           PolicyResolver resolver, HostContext host,
                                           HostMountPolicy mountPolicy, DiskSupport disks, Metrics metrics) {
        List<Mount> shared = new java.util.ArrayList<>(settings.volumes().stream().map(v -> v.toMount(mountPolicy)).toList());
        tasks.workspace().ifPresent(dir -> shared.add(new Mount(dir, PolicyResolver.WORKSPACE, false)));
        tasks.toolsDir().ifPresent(dir -> shared.add(new Mount(dir, SandboxTaskRunner.TOOLS, true)));
        InterpreterLauncher launcher = new InterpreterLauncher(backend, resolver,
                DriverFiles.extractTo(host.runtimeDir().resolve("session")), host.stateDir().resolve("sessions"), shared,
                defaultDisk(disks));
        return new SessionManager(launcher, settings, HostCapacity.detect(), mountPolicy,
                t -> HostExecutables.find(t.executable()).isPresent(), Clock.systemUTC(), metrics);
    }

    /** The disk of a code session's workspace and of the default task workspace: the moderate profile's. */
    private static OptionalLong defaultDisk(DiskSupport disks) {
        return disks.enforced() ? OptionalLong.of(PolicyResolver.defaultDiskMb(Profile.MODERATE)) : OptionalLong.empty();
    }

    private static TaskManager tasks(TaskConfig config, IsolationBackend backend, PolicyResolver resolver,
                                     TaskWorkspace workspace, SqliteTaskStore store) {
        SandboxTaskRunner runner = new SandboxTaskRunner(backend, resolver, Optional.of(workspace.dir()),
                config.toolsDir());
        return new TaskManager(runner, store, config.settings(), Clock.systemUTC());
    }

    /**
     * {@code <state>/spool/output}: on disk, so that answers being sent hold no memory of the host
     * (a runtime directory may be a tmpfs). Files a daemon that died left there are deleted.
     */
    private static Path outputSpool(HostContext host) {
        Path dir = host.stateDir().resolve("spool").resolve("output");
        try {
            java.nio.file.Files.createDirectories(dir);
            try (var stale = java.nio.file.Files.newDirectoryStream(dir, "output-*.bin")) {
                for (Path file : stale) {
                    java.nio.file.Files.deleteIfExists(file);
                }
            }
        } catch (java.io.IOException e) {
            throw new dev.agentkernel.model.SandboxFailureException("cannot prepare the output spool " + dir + ": "
                    + e.getMessage(), e);
        }
        return dir;
    }

    /**
     * Whether the permissive profile may mount this process's home directory for API callers:
     * only where the operator allowed it like any other mount ({@code --allow-dir} of the home or a
     * parent; never {@code /root} or {@code /home} themselves, which are whole-system directories).
     * Otherwise the profile applies without the home mount.
     */
    static boolean homeAllowed(HostMountPolicy policy) {
        try {
            policy.requireAllowed(Path.of(System.getProperty("user.home")));
            return true;
        } catch (dev.agentkernel.model.AgentKernelException e) {
            return false;
        }
    }

    private static SandboxRequest options(PoolKey key) {
        SandboxRequest options = SandboxRequest.defaults().withProfile(key.profile());
        if (key.backend().isPresent()) {
            options = options.withBackend(key.backend().get());
        }
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

    /** Background tasks. */
    public TaskManager tasks() {
        return tasks;
    }

    /** Stateful code sessions. */
    public SessionManager sessions() {
        return sessions;
    }

    /** Persistent sandboxes. */
    public SandboxManager sandboxes() {
        return sandboxes;
    }

    /** The image store ({@code STATE/images}). */
    public ImageService images() {
        return images;
    }

    /** The daemon's secrets (values only through {@link SecretManager#value}, for sandboxes' grants). */
    public SecretManager secrets() {
        return secrets;
    }

    /** The warm pool, when on. */
    public Optional<WarmPool<PoolKey, AgentSandbox>> pool() {
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
        closeQuietly(retention);
        closeQuietly(tasks);
        pool.ifPresent(Daemon::closeQuietly);
        closeQuietly(sessions);
        closeQuietly(sandboxes);
        closeQuietly(sandboxes.volumes()); // unmounts volume images still held
        workspace.close();
        closeQuietly(images);
        closeQuietly(backend);
        closeQuietly(database);
        lock.close(); // last: the next daemon may look at everything now
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + c.getClass().getSimpleName() + " failed: " + e.getMessage());
        }
    }
}
