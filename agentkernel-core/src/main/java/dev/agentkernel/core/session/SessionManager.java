package dev.agentkernel.core.session;

import dev.agentkernel.core.policy.HostMountPolicy;
import dev.agentkernel.core.pool.PoolStats;
import dev.agentkernel.core.pool.WarmPool;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.ResourceExhaustedException;
import dev.agentkernel.model.SessionNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Stateful code sessions: {@code execute_code} with templates, flavors and volumes, within a
 * limit of sessions and a memory budget, with idle expiry and orphan cleanup in the background
 * (pausable), and a pool of started interpreters per template so that a new session's first
 * execution does not wait for an interpreter to start.
 *
 * <p>Thread-safe. Sessions live in this process only: a daemon that ends takes its sessions
 * with it, and the next one removes what they left on disk.
 */
public final class SessionManager implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SessionManager.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final int REMEMBERED_ENDINGS = 1000;

    private final InterpreterLauncher launcher;
    private final SessionSettings settings;
    private final HostCapacity capacity;
    private final HostMountPolicy policy;
    private final Clock clock;
    private final Optional<WarmPool<InterpreterKey, Interpreter>> pool;
    private final Map<String, CodeSession> sessions = new ConcurrentHashMap<>();
    private final ReentrantLock admission = new ReentrantLock();
    private int pendingSessions;       // guarded by admission
    private long pendingMemoryMb;      // guarded by admission
    private final Map<String, String> endings = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_ENDINGS;
        }
    };
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong orphans = new AtomicLong();
    private final SessionMaintenance maintenance;
    private final dev.agentkernel.core.metrics.Metrics metrics;

    /**
     * Removes what earlier daemons left, starts the interpreter pool and the maintenance.
     *
     * @param launcher  starts interpreters
     * @param settings  limits and defaults
     * @param capacity  what one sandbox can get on this host
     * @param policy    which host directories sessions may mount
     * @param available whether a template's interpreter is installed (only those are pooled)
     * @param clock     the time source (for expiry)
     */
    public SessionManager(InterpreterLauncher launcher, SessionSettings settings, HostCapacity capacity,
                          HostMountPolicy policy, java.util.function.Predicate<InterpreterTemplate> available, Clock clock) {
        this(launcher, settings, capacity, policy, available, clock, dev.agentkernel.core.metrics.Metrics.NONE);
    }

    /**
     * Like the other constructor, reporting each execution
     * ({@link dev.agentkernel.core.metrics.Metric#CODE_EXECUTIONS}) to {@code metrics}.
     */
    public SessionManager(InterpreterLauncher launcher, SessionSettings settings, HostCapacity capacity,
                          HostMountPolicy policy, java.util.function.Predicate<InterpreterTemplate> available, Clock clock,
                          dev.agentkernel.core.metrics.Metrics metrics) {
        this.metrics = java.util.Objects.requireNonNull(metrics, "metrics");
        this.launcher = launcher;
        this.settings = settings;
        this.capacity = capacity;
        this.policy = policy;
        this.clock = clock;
        orphans.addAndGet(launcher.removeOrphans());
        if (settings.poolPerTemplate() > 0) {
            WarmPool<InterpreterKey, Interpreter> warm = new WarmPool<>(
                    key -> timedStart("session_prestart", "cold", launcher.defaultBackend(),
                            () -> launcher.launch(key.template(), key.flavor(), List.of())), Interpreter::isAlive,
                    settings.poolPerTemplate(), 1, InterpreterTemplate.values().length * Flavor.values().length,
                    Duration.ofHours(1));
            for (InterpreterTemplate t : InterpreterTemplate.values()) {
                if (available.test(t)) {
                    warm.warm(new InterpreterKey(t, settings.defaultFlavor()));
                }
            }
            this.pool = Optional.of(warm);
        } else {
            this.pool = Optional.empty();
        }
        this.maintenance = new SessionMaintenance(settings.maintenanceInterval(), clock, this::maintain);
    }

    /** The limits and defaults. */
    public SessionSettings settings() {
        return settings;
    }

    /** The interpreter pool, when on (for tests and benchmarks: waiting until it is warm). */
    public Optional<WarmPool<InterpreterKey, Interpreter>> pool() {
        return pool;
    }

    /**
     * Runs code: in the given session, or in a new one whose id the result carries.
     *
     * @throws InvalidRequestException   for empty code, a bad timeout, a flavor the host cannot give, or volumes with an existing session
     * @throws SessionNotFoundException  if the session does not exist (any more)
     * @throws ConflictException         if the template or flavor differs from the session's
     * @throws ResourceExhaustedException if a new session would pass a limit and no idle session may be evicted
     * @throws dev.agentkernel.model.PermissionDeniedException if a volume is not allowed
     * @throws dev.agentkernel.model.CodeExecutionException if no interpreter can be started
     */
    public ExecuteResult execute(ExecuteRequest request) {
        if (request.code().isEmpty()) {
            throw new InvalidRequestException("code is required and must not be empty");
        }
        Duration timeout = request.timeout().orElse(settings.defaultTimeout());
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(settings.maxTimeout()) > 0) {
            throw new InvalidRequestException("timeout must be more than 0 and at most " + settings.maxTimeout().toSeconds()
                    + " seconds");
        }
        if (request.sessionId().isPresent()) {
            CodeSession session = require(request.sessionId().get());
            if (request.template().isPresent() && request.template().get() != session.template()) {
                throw new ConflictException("session '" + session.id() + "' runs " + session.template().id()
                        + ", not " + request.template().get().id() + "; omit the template or start a new session");
            }
            if (request.flavor().isPresent() && request.flavor().get() != session.flavor()) {
                throw new ConflictException("session '" + session.id() + "' is " + session.flavor().id()
                        + "; a session's flavor cannot change");
            }
            if (!request.volumes().isEmpty()) {
                throw new InvalidRequestException("volumes can only be given when a session is created, not for session '"
                        + session.id() + "'");
            }
            if (request.backend().isPresent()) {
                throw new InvalidRequestException("backend can only be given when a session is created, not for session '"
                        + session.id() + "'");
            }
            if (request.egress().restricts()) {
                throw new InvalidRequestException("network_policy can only be given when a session is created, not for "
                        + "session '" + session.id() + "'");
            }
            return timed(() -> session.execute(request.code(), timeout, false));
        }
        CodeSession session = openNew(request.template(), request.flavor(), request.volumes(), request.backend(),
                request.egress());
        try {
            return timed(() -> session.execute(request.code(), timeout, true));
        } catch (RuntimeException e) {
            if (!(e instanceof SessionNotFoundException)) {
                end(session, "its interpreter failed at its first execution", true);
            }
            throw e;
        }
    }

    /** Runs one execution, reporting its outcome (ok, error: the code raised, failed: no result) and duration. */
    private ExecuteResult timed(java.util.function.Supplier<ExecuteResult> execution) {
        long start = System.nanoTime();
        String outcome = "failed";
        try {
            ExecuteResult result = execution.get();
            outcome = result.success() ? "ok" : "error";
            return result;
        } finally {
            metrics.time(dev.agentkernel.core.metrics.Metric.CODE_EXECUTIONS, Duration.ofNanos(System.nanoTime() - start),
                    outcome);
        }
    }

    /**
     * Creates a session without running code in it (its interpreter is started and ready), so
     * that a caller knows the id before the first execution.
     *
     * @throws InvalidRequestException, PermissionDeniedException, ResourceExhaustedException,
     *         CodeExecutionException as {@link #execute} does for a new session
     */
    public SessionInfo create(Optional<InterpreterTemplate> template, Optional<Flavor> flavor, List<VolumeMapping> volumes) {
        return openNew(template, flavor, volumes, Optional.empty(), dev.agentkernel.model.NetworkPolicy.NONE).info();
    }

    /**
     * Creates a session with a copy of another session's files: its {@code /workspace} as it is
     * now (owners, modes and links kept), with the source's template and flavor unless others
     * are given, and always its backend and network policy (a copy reaches no more than its
     * original). Only files are copied: the source's variables, imports and running code live in
     * its interpreter's memory, which these hosts cannot checkpoint.
     *
     * @throws SessionNotFoundException if there is no session {@code source}
     */
    public SessionInfo createFrom(String source, Optional<InterpreterTemplate> template, Optional<Flavor> flavor,
                                  List<VolumeMapping> volumes) {
        CodeSession from = require(source);
        CodeSession session = openNew(Optional.of(template.orElse(from.template())), Optional.of(flavor.orElse(from.flavor())),
                volumes, from.backend(), from.egress()); // a copy reaches no more than its original
        try {
            Path target = session.workspaceDir();
            try (var entries = Files.list(target)) {
                for (Path entry : entries.toList()) {
                    throw new dev.agentkernel.model.SandboxFailureException("the new session's /workspace is not empty ("
                            + entry.getFileName() + ")");
                }
            }
            new dev.agentkernel.image.store.RootfsFlattener().flatten(List.of(from.workspaceDir()), target);
            return session.info();
        } catch (java.io.IOException | RuntimeException e) {
            end(session, "its files could not be copied from session " + source, true);
            throw e instanceof RuntimeException r ? r : new dev.agentkernel.model.SandboxFailureException(
                    "cannot copy the files of session " + source + ": " + e.getMessage(), e);
        }
    }

    private CodeSession openNew(Optional<InterpreterTemplate> template, Optional<Flavor> flavor, List<VolumeMapping> volumes,
                                Optional<String> backend, dev.agentkernel.model.NetworkPolicy egress) {
        Flavor f = flavor.orElse(settings.defaultFlavor());
        capacity.requireFits(f);
        List<Mount> mounts = volumes.stream().map(v -> v.toMount(policy)).toList();
        return open(template.orElse(InterpreterTemplate.PYTHON), f, volumes, mounts, backend, egress);
    }

    private CodeSession open(InterpreterTemplate template, Flavor flavor, List<VolumeMapping> volumes, List<Mount> mounts,
                             Optional<String> backend, dev.agentkernel.model.NetworkPolicy egress) {
        List<CodeSession> victims = admit(flavor);
        victims.forEach(CodeSession::close);
        Interpreter interpreter = null;
        try {
            // the pool's are on the default backend, without a network policy of their own
            if (mounts.isEmpty() && backend.isEmpty() && !egress.restricts() && pool.isPresent()) {
                long taking = System.nanoTime();
                Optional<Interpreter> warm = pool.get().take(new InterpreterKey(template, flavor));
                if (warm.isPresent()) {
                    pool.get().claim(warm.get());
                    interpreter = warm.get();
                    metrics.time(dev.agentkernel.core.metrics.Metric.SANDBOX_STARTS,
                            Duration.ofNanos(System.nanoTime() - taking), "session", "pool", launcher.defaultBackend(), "ok");
                }
            }
            if (interpreter == null) {
                interpreter = timedStart("session", "cold", backend.orElse(launcher.defaultBackend()),
                        () -> launcher.launch(template, flavor, mounts, backend, egress));
            }
            CodeSession session = new CodeSession(newId(), interpreter, volumes, clock);
            admission.lock();
            try {
                sessions.put(session.id(), session);
            } finally {
                admission.unlock();
            }
            return session;
        } catch (RuntimeException e) {
            if (interpreter != null) {
                interpreter.close();
            }
            throw e;
        } finally {
            admission.lock();
            try {
                pendingSessions--;
                pendingMemoryMb -= flavor.memoryMb();
            } finally {
                admission.unlock();
            }
        }
    }

    /** Reserves room for a new session, evicting idle ones if allowed; returns the evicted sessions to close. */
    private List<CodeSession> admit(Flavor flavor) {
        List<CodeSession> victims = new ArrayList<>();
        admission.lock();
        try {
            while (true) {
                int count = sessions.size() + pendingSessions;
                long memory = allocatedMb() + pendingMemoryMb;
                boolean tooMany = count >= settings.maxSessions();
                boolean tooBig = memory + flavor.memoryMb() > settings.maxTotalMemoryMb();
                if (!tooMany && !tooBig) {
                    break;
                }
                if (flavor.memoryMb() > settings.maxTotalMemoryMb()) {
                    throw new ResourceExhaustedException("flavor " + flavor.id() + " needs " + flavor.memoryMb()
                            + " MB, more than the whole session memory budget of " + settings.maxTotalMemoryMb() + " MB");
                }
                String limit = tooMany ? settings.maxSessions() + " sessions are open (the maximum)"
                        : "the session memory budget (" + settings.maxTotalMemoryMb() + " MB) has " + memory
                        + " MB in use, " + flavor.memoryMb() + " MB more are needed";
                if (!settings.evictIdle()) {
                    throw new ResourceExhaustedException(limit + "; delete a session first (eviction of idle sessions is off)");
                }
                CodeSession victim = leastRecentlyUsedIdle().orElseThrow(() -> new ResourceExhaustedException(
                        limit + " and every session is busy; try again when one is done, or delete one"));
                if (victim.retireIfIdle("evicted (least recently used) to make room for a new session")) {
                    sessions.remove(victim.id());
                    remember(victim.id(), "evicted (least recently used) to make room for a new session");
                    evicted.incrementAndGet();
                    victims.add(victim);
                    LOG.log(System.Logger.Level.INFO, "evicted idle session " + victim.id() + " to make room");
                }
            }
            pendingSessions++;
            pendingMemoryMb += flavor.memoryMb();
            return victims;
        } finally {
            admission.unlock();
        }
    }

    private Optional<CodeSession> leastRecentlyUsedIdle() {
        return sessions.values().stream().filter(CodeSession::isIdle).min(Comparator.comparing(CodeSession::lastUsedAt));
    }

    private long allocatedMb() {
        return sessions.values().stream().mapToLong(s -> s.flavor().memoryMb()).sum();
    }

    private static String newId() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return "ses-" + HexFormat.of().formatHex(b);
    }

    private CodeSession require(String id) {
        CodeSession session = ID.matcher(id).matches() ? sessions.get(id) : null;
        if (session != null) {
            return session;
        }
        String shown = ID.matcher(id).matches() ? id : "(an invalid id)";
        String ending;
        synchronized (endings) {
            ending = endings.get(id);
        }
        if (ending != null) {
            throw new SessionNotFoundException("session '" + shown + "' ended: " + ending + "; start a new session");
        }
        throw new SessionNotFoundException("session '" + shown + "' not found (sessions end when deleted, after "
                + human(settings.sessionTimeout()) + " idle, when evicted to make room, or when the daemon restarts)");
    }

    private void remember(String id, String why) {
        synchronized (endings) {
            endings.put(id, why);
        }
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 && s >= 60 ? (s / 60) + " min" : s + " s";
    }

    /** The open sessions, oldest first. */
    public List<SessionInfo> list() {
        return sessions.values().stream().map(CodeSession::info)
                .sorted(Comparator.comparing(SessionInfo::createdAt).thenComparing(SessionInfo::sessionId)).toList();
    }

    /**
     * One session.
     *
     * @throws SessionNotFoundException if it does not exist
     */
    public SessionInfo get(String id) {
        return require(id).info();
    }

    /**
     * Ends a session now (code running in it is killed) and deletes its files.
     *
     * @throws SessionNotFoundException if it does not exist
     */
    public void delete(String id) {
        CodeSession session = require(id);
        if (!end(session, "deleted", true)) {
            throw new SessionNotFoundException("session '" + id + "' not found (it has just ended)");
        }
    }

    /** Retires, unregisters and closes a session; false if it had already ended. */
    private boolean end(CodeSession session, String why, boolean evenIfBusy) {
        if (!unregister(session, why, evenIfBusy)) {
            return false;
        }
        session.close();
        return true;
    }

    /** Retires and unregisters a session (it is then unknown to every caller); false if it had already ended. */
    private boolean unregister(CodeSession session, String why, boolean evenIfBusy) {
        boolean retired = evenIfBusy ? session.retire(why) : session.retireIfIdle(why);
        if (!retired) {
            return false;
        }
        sessions.remove(session.id(), session);
        remember(session.id(), why);
        return true;
    }

    /** Pauses the background maintenance (expiry and orphan cleanup). */
    public MaintenanceStatus pauseMaintenance() {
        maintenance.pause();
        return maintenanceStatus();
    }

    /** Resumes the background maintenance. */
    public MaintenanceStatus resumeMaintenance() {
        maintenance.resume();
        return maintenanceStatus();
    }

    /** Runs the maintenance once now, in this thread, even when paused. */
    public MaintenanceStatus runMaintenance() {
        maintenance.runNow();
        return maintenanceStatus();
    }

    /** The background maintenance's state and counters. */
    public MaintenanceStatus maintenanceStatus() {
        return new MaintenanceStatus(maintenance.paused(), maintenance.interval(), maintenance.runs(),
                maintenance.lastRunAt(), expired.get(), evicted.get(), orphans.get());
    }

    private void maintain() {
        Duration limit = settings.sessionTimeout();
        for (CodeSession session : List.copyOf(sessions.values())) {
            if (session.idleFor().compareTo(limit) >= 0
                    && unregister(session, "expired after " + human(limit) + " idle", false)) {
                expired.incrementAndGet();
                session.close();
                LOG.log(System.Logger.Level.INFO, "session " + session.id() + " expired");
            }
        }
        orphans.addAndGet(launcher.removeOrphans());
    }

    /** Resource statistics. */
    public SessionStats stats() {
        List<SessionInfo> all = list();
        Map<String, Integer> byTemplate = new TreeMap<>();
        long memory = 0;
        for (SessionInfo s : all) {
            byTemplate.merge(s.template().id(), 1, Integer::sum);
            memory += s.flavor().memoryMb();
        }
        Map<String, SessionStats.PoolCount> pooled = new TreeMap<>();
        if (pool.isPresent()) {
            PoolStats<InterpreterKey> ps = pool.get().stats();
            for (PoolStats.KeyStats<InterpreterKey> k : ps.keys()) {
                pooled.merge(k.key().template().id(), new SessionStats.PoolCount(k.ready(), k.starting()),
                        (a, b) -> new SessionStats.PoolCount(a.ready() + b.ready(), a.starting() + b.starting()));
            }
        }
        return new SessionStats(all.size(), settings.maxSessions(), memory, settings.maxTotalMemoryMb(),
                settings.sessionTimeout(), byTemplate, pooled, maintenanceStatus(), all);
    }

    /** Starts an interpreter through {@code start}, timed as a sandbox start of {@code kind} and {@code path}. */
    private Interpreter timedStart(String kind, String path, String backendName,
                                   java.util.function.Supplier<Interpreter> start) {
        long starting = System.nanoTime();
        String outcome = "error";
        try {
            Interpreter started = start.get();
            outcome = "ok";
            return started;
        } finally {
            metrics.time(dev.agentkernel.core.metrics.Metric.SANDBOX_STARTS, Duration.ofNanos(System.nanoTime() - starting),
                    kind, path, backendName, outcome);
        }
    }

    /** Stops the maintenance and the pool and ends every session. */
    @Override
    public void close() {
        maintenance.close();
        pool.ifPresent(WarmPool::close);
        List<CodeSession> all = List.copyOf(sessions.values());
        try (ExecutorService closing = Executors.newVirtualThreadPerTaskExecutor()) {
            for (CodeSession s : all) {
                closing.submit(() -> end(s, "the daemon stopped", true));
            }
        }
    }
}
