package dev.agentkernel.core.sandbox;

import dev.agentkernel.agent.FileStat;
import dev.agentkernel.agent.OutputSink;
import dev.agentkernel.core.audit.AuditEvent;
import dev.agentkernel.core.audit.AuditEventType;
import dev.agentkernel.core.audit.AuditLog;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.disk.DiskSupport;
import dev.agentkernel.core.disk.DiskUsage;
import dev.agentkernel.core.policy.HostMountPolicy;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.PermissionDeniedException;
import dev.agentkernel.model.ResourceExhaustedException;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxFailureException;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Persistent named sandboxes: created, started, stopped and removed on request, their records
 * in a {@link SandboxStore}, their files in {@link SandboxDirs} on the host, their commands and
 * file operations through each one's {@link AgentSandbox}. Every change is audited.
 *
 * <p>Thread-safe. Changes to one sandbox are serialized by a per-name lock; commands run
 * outside it, so a long command never blocks a stop.
 */
public final class SandboxManager implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SandboxManager.class.getName());
    /** SIGTERM-to-SIGKILL grace of a command that reached its timeout. */
    public static final Duration GRACE = Duration.ofSeconds(2);
    private final dev.agentkernel.core.metrics.Metrics metrics;

    private final IsolationBackend backend;
    private final PolicyResolver resolver;
    private final SandboxStore store;
    private final AuditLog audit;
    private final Path sandboxesDir;
    private final int maxRunning;
    private final Duration defaultTimeout;
    private final HostMountPolicy mounts;
    private final DiskSupport disks;
    private final dev.agentkernel.core.volume.VolumeManager volumes;
    private final Optional<dev.agentkernel.core.secret.SecretManager> secretManager;
    private final Map<String, AgentSandbox> live = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, ShellSession> shells = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicReference<Thread> shellReaper =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicReference<Thread> expiry =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** Background processes of each running sandbox, ended with it. */
    private final Map<String, BackgroundProcesses> background = new ConcurrentHashMap<>();
    // ---- pause and resume (issue 15) ----
    private final PauseSettings pausing;
    private final SandboxActivity activity = new SandboxActivity();
    /** Sandboxes paused because they were idle (their next access resumes them whatever the settings). */
    private final java.util.Set<String> autoPaused = ConcurrentHashMap.newKeySet();
    private final Optional<IdlePauser> idlePauser;

    /**
     * @param sandboxesDir   where each sandbox's directories live
     * @param maxRunning     persistent sandboxes that may run at once
     * @param defaultTimeout wall-clock limit of a command that asks for none
     * @param mounts         which host directories may be mounted as a sandbox's {@code /workspace}
     * @param disks          whether new sandboxes get a size-limited disk ({@link SandboxDirs})
     * @param volumes        the named volumes sandboxes mount
     */
    public SandboxManager(IsolationBackend backend, PolicyResolver resolver, SandboxStore store, AuditLog audit,
                          Path sandboxesDir, int maxRunning, Duration defaultTimeout,
                          HostMountPolicy mounts, DiskSupport disks, dev.agentkernel.core.volume.VolumeManager volumes) {
        this(backend, resolver, store, audit, sandboxesDir, maxRunning, defaultTimeout, mounts, disks, volumes,
                PauseSettings.DEFAULT);
    }

    /**
     * Like the other constructor, with how paused sandboxes are treated and whether idle ones
     * pause themselves ({@link PauseSettings}); an idle time starts a thread that {@link #close()} ends.
     */
    public SandboxManager(IsolationBackend backend, PolicyResolver resolver, SandboxStore store, AuditLog audit,
                          Path sandboxesDir, int maxRunning, Duration defaultTimeout,
                          HostMountPolicy mounts, DiskSupport disks, dev.agentkernel.core.volume.VolumeManager volumes,
                          PauseSettings pausing) {
        this(backend, resolver, store, audit, sandboxesDir, maxRunning, defaultTimeout, mounts, disks, volumes, pausing,
                Optional.empty());
    }

    /**
     * Like the other constructors, with where the secrets granted to sandboxes are read
     * ({@code secrets} and {@code secret_files} of a create request; refused without one).
     */
    public SandboxManager(IsolationBackend backend, PolicyResolver resolver, SandboxStore store, AuditLog audit,
                          Path sandboxesDir, int maxRunning, Duration defaultTimeout,
                          HostMountPolicy mounts, DiskSupport disks, dev.agentkernel.core.volume.VolumeManager volumes,
                          PauseSettings pausing, Optional<dev.agentkernel.core.secret.SecretManager> secrets) {
        this(backend, resolver, store, audit, sandboxesDir, maxRunning, defaultTimeout, mounts, disks, volumes, pausing,
                secrets, dev.agentkernel.core.metrics.Metrics.NONE);
    }

    /**
     * Like the other constructors, reporting each start of a sandbox
     * ({@link dev.agentkernel.core.metrics.Metric#SANDBOX_STARTS}, kind {@code sandbox}, path {@code cold}) to {@code metrics}.
     */
    public SandboxManager(IsolationBackend backend, PolicyResolver resolver, SandboxStore store, AuditLog audit,
                          Path sandboxesDir, int maxRunning, Duration defaultTimeout,
                          HostMountPolicy mounts, DiskSupport disks, dev.agentkernel.core.volume.VolumeManager volumes,
                          PauseSettings pausing, Optional<dev.agentkernel.core.secret.SecretManager> secrets,
                          dev.agentkernel.core.metrics.Metrics metrics) {
        this.metrics = java.util.Objects.requireNonNull(metrics, "metrics");
        this.secretManager = java.util.Objects.requireNonNull(secrets, "secrets");
        this.volumes = volumes;
        this.pausing = java.util.Objects.requireNonNull(pausing, "pausing");
        this.idlePauser = pausing.idleAfter().map(idle -> new IdlePauser(idle, () -> List.copyOf(live.keySet()),
                name -> pauseIfIdle(name, idle)));
        this.mounts = mounts;
        this.disks = disks;
        disks.unavailable().ifPresent(why -> LOG.log(System.Logger.Level.WARNING, why));
        this.backend = backend;
        this.resolver = resolver;
        this.store = store;
        this.audit = audit;
        this.sandboxesDir = sandboxesDir;
        this.maxRunning = maxRunning;
        this.defaultTimeout = defaultTimeout;
    }

    /** The audit log this manager writes to. */
    public AuditLog audit() {
        return audit;
    }

    /** The named volumes its sandboxes mount. */
    public dev.agentkernel.core.volume.VolumeManager volumes() {
        return volumes;
    }

    // ---- lifecycle ----------------------------------------------------------------------

    /**
     * Creates a sandbox and starts it.
     *
     * @throws ConflictException if the name is taken
     * @throws InvalidRequestException for options that cannot be honoured
     * @throws ResourceExhaustedException when too many sandboxes run
     */
    public SandboxInfo create(CreateSandbox request) {
        SandboxRequest options = request.options();
        Optional<Path> projectDir = Optional.empty();
        if (options.projectDir().isPresent()) {
            try {
                projectDir = Optional.of(mounts.requireAllowed(options.projectDir().get()));
            } catch (PermissionDeniedException e) {
                policyViolation(request.name(), e.getMessage());
                throw e;
            }
            options = new SandboxRequest(options.profile(), options.image(), options.network(), options.memoryMb(),
                    options.vcpus(), options.env(), options.workdir(), Optional.empty(), options.diskMb(),
                    options.pull(), options.backend(), options.egress());
        }
        SandboxSpec resolved = resolver.resolve(options); // bad options fail before anything is stored
        volumes.requireExisting(request.volumes()); // an unknown volume fails before anything is stored
        if (request.source().isPresent() && resolved.network() != NetworkMode.OUTBOUND) {
            throw new InvalidRequestException("source_url is cloned inside the sandbox, over its network, and this "
                    + "sandbox has none; use the moderate or permissive profile with network");
        }
        if (request.source().isPresent() && projectDir.isPresent()) {
            throw new InvalidRequestException("source_url is cloned into /workspace, which is the host directory "
                    + projectDir.get() + " here; give one or the other");
        }
        DiskQuota quota = DiskQuota.of(resolver, options, disks.enforced() ? volumes.writableMb(request.volumes()) : 0);
        long diskMb = quota.totalMb();
        // pinned to the image's digest: its writable layer stays on the image it was made on, wherever the tag moves
        Optional<String> image = switch (resolved.root()) {
            case RootFs.Host host -> resolved.image();
            case RootFs.Image i -> Optional.of(i.reference().contains("@") ? i.reference() : i.reference() + "@" + i.digest());
        };
        dev.agentkernel.core.secret.SandboxSecrets secrets = keptSecrets(request, resolved);
        Instant now = Instant.now();
        SandboxRecord record = new SandboxRecord(request.name(), image, resolved.profile(),
                resolved.limits().vcpus(), resolved.limits().memoryMb(), resolved.network() == NetworkMode.OUTBOUND,
                resolved.backend().orElse(backend.name()), SandboxState.RUNNING, now, projectDir,
                disks.enforced() ? OptionalLong.of(diskMb) : OptionalLong.empty(), java.util.UUID.randomUUID().toString(),
                request.timeToLive().map(now::plus), resolved.egress(), secrets);
        SandboxInfo created = locked(request.name(), () -> {
            requireRoom();
            store.insert(record);
            SandboxDirs dirs = SandboxDirs.of(sandboxesDir, record.name());
            try {
                volumes.attach(record.name(), request.volumes());
                dirs.create(record.diskMb().isPresent() ? OptionalLong.of(quota.ownMb()) : OptionalLong.empty());
                if (resolved.root() instanceof RootFs.Image root && record.projectDir().isEmpty()) {
                    dirs.seedWorkspace(root.layers(), backend.sandboxIds(record.backend())::toHost);
                }
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("profile", record.profile().id());
                details.put("image", record.image().orElse(""));
                details.put("backend", record.backend());
                record.diskMb().ifPresent(mb -> details.put("disk_mb", mb));
                record.projectDir().ifPresent(d -> details.put("dir", d.toString()));
                details.put("uuid", record.uuid());
                request.source().ifPresent(src -> {
                    details.put("source_url", src.url());
                    src.ref().ifPresent(ref -> details.put("source_ref", ref));
                });
                record.expiresAt().ifPresent(at -> details.put("expires_at", at.toString()));
                if (!request.volumes().isEmpty()) {
                    details.put("volumes", String.join(",", request.volumes().stream().map(Object::toString).toList()));
                }
                record(AuditEventType.SANDBOX_CREATED, record.name(), details);
                launch(record);
            } catch (RuntimeException e) {
                dirs.delete();
                volumes.forget(record.name());
                store.delete(record.name());
                record(AuditEventType.SANDBOX_REMOVED, record.name(), Map.of("reason", "creation failed: " + e.getMessage()));
                throw e;
            }
            return info(record, SandboxState.RUNNING);
        });
        if (request.source().isPresent()) {
            cloneSource(request.name(), request.source().get(), image.orElse("host"));
        }
        return created;
    }

    /**
     * Clones {@code source} into the new sandbox {@code name}'s {@code /workspace}; if that fails,
     * the sandbox is removed (a creation is all or nothing) and the failure is the answer.
     */
    private void cloneSource(String name, GitSource source, String image) {
        StringBuilder errors = new StringBuilder();
        Termination end;
        try {
            end = exec(name, source.command(), (kind, bytes, off, len) -> {
                if (kind == dev.agentkernel.model.OutputStreamKind.STDERR) {
                    synchronized (errors) {
                        errors.append(new String(bytes, off, len, java.nio.charset.StandardCharsets.UTF_8));
                        if (errors.length() > 4096) {
                            errors.delete(0, errors.length() - 4096);
                        }
                    }
                }
            }, () -> false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            removeQuietly(name, "creation interrupted while cloning its source");
            throw new SandboxFailureException("interrupted while cloning " + source.url() + " into sandbox '" + name + "'");
        } catch (RuntimeException e) {
            removeQuietly(name, "cloning its source failed: " + e.getMessage());
            throw e;
        }
        if (end.exitCode() != 0) {
            String why = source.failure(end.exitCode(), errors.toString(), image);
            removeQuietly(name, why);
            if (end.exitCode() == GitSource.NOT_EMPTY) {
                throw new ConflictException(why);
            }
            throw new InvalidRequestException(why);
        }
    }

    private void removeQuietly(String name, String why) {
        try {
            remove(name);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove sandbox '" + name + "' after its creation failed (" + why
                    + "): " + e.getMessage());
        }
    }

    /** A sandbox by name. @throws NotFoundException if there is none */
    public SandboxInfo get(String name) {
        SandboxRecord record = require(name);
        return info(record, status(name));
    }

    /** A sandbox by its {@link SandboxRecord#uuid}. @throws NotFoundException if there is none */
    public SandboxInfo getByUuid(String uuid) {
        if (uuid == null || !uuid.matches("[0-9a-fA-F-]{1,64}")) {
            throw new InvalidRequestException("a sandbox uuid is hexadecimal digits and '-', such as "
                    + "3f2b8c1e-6a4d-4e8f-9b7a-0c1d2e3f4a5b");
        }
        SandboxRecord record = store.findByUuid(uuid.toLowerCase(java.util.Locale.ROOT))
                .orElseThrow(() -> new NotFoundException("no sandbox has uuid '" + uuid + "'"));
        return info(record, isRunning(record.name()) ? SandboxState.RUNNING : SandboxState.STOPPED);
    }

    /**
     * Gives a sandbox with a time to live {@code more} time: from its expiry, or from now if
     * that is past. A sandbox without a time to live keeps none.
     *
     * @return its expiry now; empty for a sandbox without one
     * @throws NotFoundException if there is no such sandbox
     */
    public Optional<Instant> extend(String name, Duration more) {
        return locked(name, () -> {
            SandboxRecord record = require(name);
            if (record.expiresAt().isEmpty()) {
                return Optional.<Instant>empty();
            }
            Instant now = Instant.now();
            Instant from = record.expiresAt().get().isAfter(now) ? record.expiresAt().get() : now;
            Optional<Instant> expiry = Optional.of(from.plus(more));
            store.updateExpiry(name, expiry);
            record(AuditEventType.SANDBOX_EXTENDED, name, Map.of("by", more.toString(),
                    "expires_at", expiry.get().toString()));
            return expiry;
        });
    }

    /**
     * Removes, with their files, the sandboxes whose expiry is at or before {@code now}, each
     * recorded as {@code sandbox_expired}. What the maintenance thread ({@link #startExpiry}) does.
     *
     * @return the names removed
     */
    public List<String> removeExpired(Instant now) {
        List<String> removed = new ArrayList<>();
        for (SandboxRecord record : store.list()) {
            if (record.expiresAt().isEmpty() || record.expiresAt().get().isAfter(now)) {
                continue;
            }
            try {
                boolean gone = locked(record.name(), () -> {
                    // extended or removed meanwhile?
                    Optional<SandboxRecord> current = store.find(record.name());
                    if (current.isEmpty() || !current.get().uuid().equals(record.uuid())
                            || current.get().expiresAt().map(at -> at.isAfter(now)).orElse(true)) {
                        return false;
                    }
                    record(AuditEventType.SANDBOX_EXPIRED, record.name(),
                            Map.of("expires_at", current.get().expiresAt().get().toString(), "uuid", record.uuid()));
                    remove(record.name(), "its time to live ended"); // the lock is reentrant
                    return true;
                });
                if (gone) {
                    removed.add(record.name());
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove expired sandbox '" + record.name() + "': "
                        + e.getMessage());
            }
        }
        return removed;
    }

    /**
     * Starts the thread that removes expired sandboxes every {@code interval} (once; stopped by
     * {@link #close}).
     */
    public void startExpiry(Duration interval) {
        Thread thread = Thread.ofVirtual().name("ak-sandbox-expiry").unstarted(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    removeExpired(Instant.now());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "expiry check failed: " + e.getMessage());
                }
            }
        });
        if (expiry.compareAndSet(null, thread)) {
            thread.start();
        }
    }

    /** Every sandbox, oldest first. */
    public List<SandboxInfo> list() {
        List<SandboxInfo> all = new ArrayList<>();
        for (SandboxRecord record : store.list()) {
            all.add(info(record, status(record.name())));
        }
        return all;
    }

    /** What a caller sees: with the disk's use while it runs (its disk is mounted then). */
    private SandboxInfo info(SandboxRecord record, SandboxState status) {
        Optional<DiskUsage> usage = status != SandboxState.STOPPED && record.diskMb().isPresent()
                ? SandboxDirs.of(sandboxesDir, record.name()).usage() : Optional.empty();
        Optional<DiskUsage> onVolumes = usage.isPresent() ? volumes.writableUsage(record.name()) : Optional.empty();
        if (onVolumes.isPresent()) { // its read-write volumes count in its disk quota
            usage = Optional.of(new DiskUsage(usage.get().usedMb() + onVolumes.get().usedMb(),
                    usage.get().availableMb() + onVolumes.get().availableMb()));
        }
        return new SandboxInfo(record, status, usage, volumes.mountsOf(record.name()));
    }

    /**
     * Runs {@code action} on a sandbox's record and host directories under the sandbox's lock,
     * its disk mounted meanwhile (a running sandbox's is): what a snapshot reads. No start, stop
     * or removal of the sandbox happens meanwhile; a running sandbox is frozen meanwhile (as a
     * pause does, not audited), so that its files are read as of one instant, and thawed after.
     *
     * @throws NotFoundException if there is no such sandbox
     */
    public <T> T withFiles(String name, java.util.function.BiFunction<SandboxRecord, SandboxDirs, T> action) {
        return locked(name, () -> {
            SandboxRecord record = require(name);
            SandboxDirs dirs = SandboxDirs.of(sandboxesDir, name);
            boolean running = isRunning(name);
            AgentSandbox box = running ? live.get(name) : null;
            boolean froze = false;
            if (box != null && !box.isPaused()) {
                try {
                    box.pause();
                    froze = true;
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot freeze sandbox '" + name + "' while its files are "
                            + "read; they are read while it runs: " + e.getMessage());
                }
            }
            if (!running) {
                dirs.open();
            }
            try {
                return action.apply(record, dirs);
            } finally {
                if (froze) {
                    box.resume();
                }
                if (!running) {
                    dirs.close();
                }
            }
        });
    }

    /**
     * Puts a sandbox on another image and gives it exactly that image's files: its writable
     * layer emptied, its {@code /workspace} replaced by the image's (what restoring a snapshot
     * is). A running sandbox is stopped for it and started again; its processes do not survive.
     *
     * @param image  a reference pinned to a digest, in the store
     * @param reason recorded with {@code sandbox_restored}
     * @throws NotFoundException if there is no such sandbox
     */
    public SandboxInfo replaceImage(String name, String image, Map<String, Object> reason) {
        return locked(name, () -> {
            SandboxRecord record = require(name);
            if (record.projectDir().isPresent()) {
                throw new ConflictException("sandbox '" + name + "' has a host directory at /workspace ("
                        + record.projectDir().get() + "); its files are not the sandbox's to replace");
            }
            boolean wasRunning = isRunning(name);
            if (wasRunning) {
                stop(name);
            }
            SandboxSpec spec = resolver.resolve(SandboxRequest.defaults().withProfile(record.profile())
                    .withBackend(record.backend()).withImage(image).withPull(dev.agentkernel.model.ImagePull.NEVER));
            if (!(spec.root() instanceof RootFs.Image root)) {
                throw new InvalidRequestException("'" + image + "' is not an image; a sandbox can only be put on an image");
            }
            SandboxDirs dirs = SandboxDirs.of(sandboxesDir, name);
            dirs.open();
            try {
                dirs.clearFiles();
                dirs.seedWorkspace(root.layers(), backend.sandboxIds(record.backend())::toHost);
            } finally {
                dirs.close();
            }
            store.updateImage(name, image);
            Map<String, Object> details = new LinkedHashMap<>(reason);
            details.put("image", image);
            record(AuditEventType.SANDBOX_RESTORED, name, details);
            if (wasRunning) {
                start(name);
            }
            return get(name);
        });
    }

    /** The mapping of sandbox ids to host ids (owners of the sandboxes' files) of the backend called {@code backend}. */
    public dev.agentkernel.core.backend.SandboxIds sandboxIds(String backend) {
        return this.backend.sandboxIds(backend);
    }

    /** How many more persistent sandboxes may run now. */
    public int freeSlots() {
        return Math.max(0, maxRunning - live.size());
    }

    /** Persistent sandboxes running now. */
    public int running() {
        return live.size();
    }

    /** Starts a stopped sandbox with its files as they were; a running one is left as it is. */
    public SandboxInfo start(String name) {
        return locked(name, () -> {
            SandboxRecord record = require(name);
            if (!isRunning(name)) {
                requireRoom();
                if (!SandboxDirs.of(sandboxesDir, name).exist()) {
                    throw new SandboxFailureException("the files of sandbox '" + name + "' are missing from "
                            + SandboxDirs.of(sandboxesDir, name).root() + "; remove it and create it again");
                }
                launch(record);
                store.updateState(name, SandboxState.RUNNING);
            }
            return info(record.withState(SandboxState.RUNNING), SandboxState.RUNNING);
        });
    }

    /** Stops a sandbox, keeping its files; a stopped one is left as it is. */
    public SandboxInfo stop(String name) {
        return locked(name, () -> {
            SandboxRecord record = require(name);
            AgentSandbox box = live.remove(name);
            autoPaused.remove(name);
            if (box != null) {
                endBackground(name);
                box.close(); // a paused sandbox is thawed after the kill signal, so it dies
                SandboxDirs.of(sandboxesDir, name).close();
                volumes.release(name);
                record(AuditEventType.SANDBOX_STOPPED, name, Map.of());
            }
            store.updateState(name, SandboxState.STOPPED);
            return info(record.withState(SandboxState.STOPPED), SandboxState.STOPPED);
        });
    }

    /** Stops a sandbox and deletes it with all its files. @throws NotFoundException if there is none */
    public void remove(String name) {
        remove(name, null);
    }

    private void remove(String name, String reason) {
        locked(name, () -> {
            require(name);
            AgentSandbox box = live.remove(name);
            if (box != null) {
                endBackground(name);
                box.close();
            }
            SandboxDirs dirs = SandboxDirs.of(sandboxesDir, name);
            volumes.release(name);
            if (!dirs.delete()) {
                throw new SandboxFailureException("cannot delete the files of sandbox '" + name + "' under " + dirs.root());
            }
            volumes.forget(name);
            store.delete(name);
            record(AuditEventType.SANDBOX_REMOVED, name, reason == null ? Map.of() : Map.of("reason", reason));
            autoPaused.remove(name);
            activity.forget(name);
            return null;
        });
        locks.remove(name);
    }

    /**
     * After a daemon start: starts again the sandboxes that were running when the last daemon
     * ended (their processes ended with it), and removes records whose files are gone.
     *
     * @return the names started again
     */
    public List<String> recover() {
        List<String> started = new ArrayList<>();
        List<SandboxRecord> toStart = new ArrayList<>();
        for (SandboxRecord record : store.list()) {
            if (!SandboxDirs.of(sandboxesDir, record.name()).exist()) {
                LOG.log(System.Logger.Level.WARNING, "sandbox '" + record.name() + "' lost its files; removing it");
                volumes.forget(record.name());
                store.delete(record.name());
                record(AuditEventType.SANDBOX_REMOVED, record.name(), Map.of("reason", "its files were missing at daemon start"));
            } else if (record.state() == SandboxState.RUNNING) {
                toStart.add(record);
            }
        }
        try (ExecutorService starts = Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<String>> futures = new ArrayList<>();
            for (SandboxRecord record : toStart) {
                futures.add(starts.submit(() -> {
                    try {
                        start(record.name());
                        return record.name();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "cannot start sandbox '" + record.name() + "' again: "
                                + e.getMessage());
                        store.updateState(record.name(), SandboxState.STOPPED);
                        record(AuditEventType.SANDBOX_STOPPED, record.name(),
                                Map.of("reason", "could not be started again at daemon start: " + e.getMessage()));
                        return null;
                    }
                }));
            }
            for (var future : futures) {
                try {
                    String name = future.get();
                    if (name != null) {
                        started.add(name);
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    // logged above
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return started;
    }

    // ---- commands -----------------------------------------------------------------------

    /**
     * Runs a command in a running sandbox to its end, output to {@code sink} as produced.
     *
     * @param cancelled polled while it runs; true kills the command
     * @throws NotFoundException if there is no such sandbox (a missing program is exit code 127)
     * @throws ConflictException if the sandbox is stopped
     */
    public Termination exec(String name, CommandSpec command, OutputSink sink, BooleanSupplier cancelled)
            throws InterruptedException {
        requireRunning(name); // 404 or 409 before the sandbox counts as in use
        try (SandboxActivity.Busy busy = activity.busy(name)) {
            return execActive(name, command, sink, cancelled);
        }
    }

    private Termination execActive(String name, CommandSpec command, OutputSink sink, BooleanSupplier cancelled)
            throws InterruptedException {
        AgentSandbox box = active(name);
        CommandSpec bounded = command.timeout().isPresent() ? command
                : command.withTimeout(defaultTimeout);
        if (bounded.workdir().isPresent()) {
            PolicyResolver.requireUsableWorkdir(bounded.workdir().get());
        }
        Termination end;
        try {
            end = box.runLikeAShell(bounded, sink, cancelled, GRACE);
        } catch (SandboxFailureException e) {
            throw stoppedMeanwhile(name, e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("command", String.join(" ", command.argv()));
        details.put("exit_code", end.exitCode());
        if (!end.describe().isEmpty()) {
            details.put("reason", end.describe());
        }
        record(AuditEventType.COMMAND_EXECUTED, name, details);
        return end;
    }

    /** The shell of a login on a terminal: bash if the sandbox has it, else sh. */
    public static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c",
            "if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi");
    /** Interactive sessions nobody read from or wrote to for this long are killed. */
    public static final Duration SHELL_IDLE_LIMIT = Duration.ofSeconds(60);

    /**
     * Starts an interactive command (a shell by default) on a pseudo-terminal of
     * {@code rows} x {@code cols} in a running sandbox. Records {@code session_attached}.
     * Sessions idle for {@link #SHELL_IDLE_LIMIT} are killed.
     *
     * @throws ConflictException if the sandbox is stopped
     */
    public ShellSession openShell(String name, CommandSpec command, int rows, int cols) {
        requireRunning(name); // 404 or 409 before the sandbox counts as in use
        try (SandboxActivity.Busy busy = activity.busy(name)) { // no idle pause until the session is listed
            return openShellActive(name, command, rows, cols);
        }
    }

    private ShellSession openShellActive(String name, CommandSpec command, int rows, int cols) {
        AgentSandbox box = active(name);
        if (command.workdir().isPresent()) {
            PolicyResolver.requireUsableWorkdir(command.workdir().get());
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TERM", "xterm-256color");
        env.putAll(command.env());
        CommandSpec withTerm = new CommandSpec(command.argv(), env, command.workdir(), Optional.empty(), command.root());
        String id = java.util.UUID.randomUUID().toString();
        ShellSession session = new ShellSession(id, name);
        session.attach(withAgent(name, b -> box.start(withTerm,
                Optional.of(new dev.agentkernel.agent.TerminalSize(rows, cols)), session::output)));
        shells.put(id, session);
        startShellReaper();
        record(AuditEventType.SESSION_ATTACHED, name, Map.of("session", id, "command", String.join(" ", command.argv())));
        return session;
    }

    /** An interactive session by id. @throws NotFoundException if there is none (or it was reaped) */
    public ShellSession shell(String id) {
        ShellSession session = shells.get(id);
        if (session == null) {
            throw new NotFoundException("no interactive session '" + id + "' (it ended or was idle for "
                    + SHELL_IDLE_LIMIT.toSeconds() + " s)");
        }
        return session;
    }

    /** Kills and forgets an interactive session. */
    public void closeShell(String id) {
        ShellSession session = shells.remove(id);
        if (session != null) {
            session.close();
        }
    }

    private void startShellReaper() {
        if (shellReaper.compareAndSet(null, Thread.ofVirtual().name("ak-shell-reaper").unstarted(this::reapShells))) {
            shellReaper.get().start();
        }
    }

    private void reapShells() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            for (ShellSession session : List.copyOf(shells.values())) {
                boolean idle = session.idleFor().compareTo(SHELL_IDLE_LIMIT) > 0;
                boolean finished = session.isDone() && session.idleFor().compareTo(Duration.ofSeconds(10)) > 0;
                if (idle || finished) {
                    closeShell(session.id());
                }
            }
        }
    }

    // ---- background processes -----------------------------------------------------------

    /**
     * The background processes of a running sandbox ({@link BackgroundProcesses}), ended when it stops.
     *
     * @throws NotFoundException if there is no such sandbox
     * @throws ConflictException if it is stopped
     */
    public BackgroundProcesses background(String name) {
        active(name); // a paused sandbox is resumed (or refused, as configured) like for an exec
        BackgroundProcesses processes = background.get(name);
        if (processes == null) {
            throw new ConflictException("sandbox '" + name + "' is stopped; start it first");
        }
        return processes;
    }

    private void endBackground(String name) {
        BackgroundProcesses processes = background.remove(name);
        if (processes != null) {
            processes.close();
        }
    }

    // ---- files --------------------------------------------------------------------------

    /** Facts about a file of a running sandbox. @throws NotFoundException if it does not exist */
    public FileStat stat(String name, String path) {
        return withAgent(name, box -> box.agent().stat(path));
    }

    /**
     * Streams a file of a running sandbox into {@code sink}.
     *
     * @return the number of bytes
     */
    public long readFile(String name, String path, OutputStream sink) {
        long size = withAgent(name, box -> box.agent().readFile(path, sink));
        record(AuditEventType.FILE_READ, name, Map.of("path", path, "bytes", size));
        return size;
    }

    /**
     * Writes (creates or replaces) a file of a running sandbox from {@code data}, creating its
     * missing parent directories (0755) first, as the sandbox's user.
     *
     * @return the number of bytes written
     */
    public long writeFile(String name, String path, InputStream data) {
        long size = withAgent(name, box -> {
            makeParents(box, path);
            return box.agent().writeFile(path, data, 0644);
        });
        record(AuditEventType.FILE_WRITTEN, name, Map.of("path", path, "bytes", size));
        return size;
    }

    /**
     * Writes several files of a running sandbox, in order, each as {@link #writeFile} does; stops
     * at the first that fails (those before it stay written).
     *
     * @param files sandbox path → content
     * @return the bytes written
     */
    public long writeFiles(String name, Map<String, byte[]> files) {
        long bytes = 0;
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            bytes += writeFile(name, file.getKey(), new java.io.ByteArrayInputStream(file.getValue()));
        }
        return bytes;
    }

    private static void makeParents(AgentSandbox box, String path) {
        int slash = path.lastIndexOf('/');
        if (slash > 0) {
            box.agent().mkdirs(path.substring(0, slash), 0755);
        }
    }

    /** Deletes a file of a running sandbox. */
    public void deleteFile(String name, String path) {
        withAgent(name, box -> {
            box.agent().deleteFile(path);
            return null;
        });
        record(AuditEventType.FILE_DELETED, name, Map.of("path", path));
    }

    /** Records that a request was refused by policy. */
    public void policyViolation(String name, String reason) {
        record(AuditEventType.POLICY_VIOLATION, name, Map.of("reason", reason));
    }

    // ---- shutdown -----------------------------------------------------------------------

    /**
     * Stops every running sandbox's processes, keeping their records as they are, so that the
     * next daemon starts them again.
     */
    @Override
    public void close() {
        idlePauser.ifPresent(IdlePauser::close);
        Thread reaper = shellReaper.get();
        if (reaper != null) {
            reaper.interrupt();
        }
        Thread expiring = expiry.get();
        if (expiring != null) {
            expiring.interrupt();
        }
        List.copyOf(shells.keySet()).forEach(this::closeShell);
        Map<String, AgentSandbox> boxes = new LinkedHashMap<>(live);
        live.clear();
        List.copyOf(background.keySet()).forEach(this::endBackground);
        try (ExecutorService closing = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Map.Entry<String, AgentSandbox> box : boxes.entrySet()) {
                closing.submit(() -> {
                    box.getValue().close();
                    SandboxDirs.of(sandboxesDir, box.getKey()).close();
                    volumes.release(box.getKey());
                });
            }
        }
    }

    // ---- pause and resume (issue 15) ------------------------------------------------------

    /**
     * Freezes every process of a running sandbox through its cgroup: no CPU, memory kept, the
     * sandbox stays {@code running} in the store (a daemon restart starts it again). Idempotent.
     * Records {@code sandbox_paused}.
     *
     * @throws NotFoundException if there is no such sandbox
     * @throws ConflictException if it is stopped
     * @throws dev.agentkernel.model.BackendUnavailableException if its backend or this host cannot pause
     */
    public SandboxInfo pause(String name) {
        return locked(name, () -> {
            AgentSandbox box = requireRunning(name);
            boolean wasAutomatic = autoPaused.remove(name);
            if (!box.isPaused()) {
                box.pause();
                record(AuditEventType.SANDBOX_PAUSED, name, Map.of("automatic", false));
            } else if (wasAutomatic) {
                LOG.log(System.Logger.Level.DEBUG, "sandbox '" + name + "' was paused as idle; now paused by its owner");
            }
            return info(require(name), SandboxState.PAUSED);
        });
    }

    /**
     * Thaws a paused sandbox; one that runs is left as it is. Records {@code sandbox_resumed}.
     *
     * @throws NotFoundException if there is no such sandbox
     * @throws ConflictException if it is stopped
     */
    public SandboxInfo resume(String name) {
        return locked(name, () -> {
            AgentSandbox box = requireRunning(name);
            resumeLocked(name, box, false);
            return info(require(name), SandboxState.RUNNING);
        });
    }

    /** The settings this manager treats paused sandboxes with. */
    public PauseSettings pauseSettings() {
        return pausing;
    }

    /** CPU time a running sandbox used so far in microseconds, when the host reports it (tests, benchmarks). */
    public OptionalLong cpuUsageMicros(String name) {
        AgentSandbox box = live.get(SandboxNames.requireValid(name));
        return box == null ? OptionalLong.empty() : box.cpuUsageMicros();
    }

    private void resumeLocked(String name, AgentSandbox box, boolean automatic) {
        autoPaused.remove(name);
        if (box.isPaused()) {
            box.resume();
            activity.touch(name);
            record(AuditEventType.SANDBOX_RESUMED, name, Map.of("automatic", automatic));
        }
    }

    /** The idle pauser's step: pauses {@code name} if it runs, is not paused and is idle. */
    private void pauseIfIdle(String name, Duration idleAfter) {
        AgentSandbox candidate = live.get(name);
        if (candidate == null || candidate.isPaused() || !activity.idleFor(name, idleAfter) || hasOpenShell(name)
                || runsInBackground(name)) {
            return;
        }
        locked(name, () -> {
            AgentSandbox box = live.get(name);
            // checked again under the lock: an access that began since resumes it under the same lock
            if (box != null && box.isAlive() && !box.isPaused() && activity.idleFor(name, idleAfter)
                    && !hasOpenShell(name) && !runsInBackground(name)) {
                box.pause();
                if (!activity.idleFor(name, idleAfter)) {
                    // a request began while the freeze ran (it checked before the freeze began): thaw for it
                    box.resume();
                    return null;
                }
                autoPaused.add(name);
                record(AuditEventType.SANDBOX_PAUSED, name, Map.of("automatic", true,
                        "idle_seconds", idleAfter.toSeconds()));
            }
            return null;
        });
    }

    /** Whether a background process of the sandbox runs (a server it started is not idle). */
    private boolean runsInBackground(String name) {
        BackgroundProcesses processes = background.get(name);
        return processes != null && processes.list().stream().anyMatch(BackgroundProcess::isRunning);
    }

    private boolean hasOpenShell(String name) {
        return shells.values().stream().anyMatch(s -> s.sandbox().equals(name) && !s.isDone());
    }

    /**
     * A running sandbox for a request that uses it: a paused one is resumed first (under its lock,
     * so that no idle pause happens in between), or refused when paused by its owner and the
     * settings say so.
     */
    private AgentSandbox active(String name) {
        AgentSandbox box = requireRunning(name);
        if (!box.isPaused()) {
            return box;
        }
        return locked(name, () -> {
            AgentSandbox current = requireRunning(name);
            if (current.isPaused()) {
                if (!pausing.resumeOnAccess() && !autoPaused.contains(name)) {
                    throw pausedConflict(name);
                }
                resumeLocked(name, current, true);
            }
            return current;
        });
    }

    private boolean isPausedByOwner(String name) {
        AgentSandbox box = live.get(name);
        return box != null && box.isPaused() && !autoPaused.contains(name);
    }

    private static ConflictException pausedConflict(String name) {
        return new ConflictException("sandbox '" + name + "' is paused; resume it first (POST /sandboxes/" + name
                + "/resume or 'agentkernel resume " + name + "')");
    }

    /** What a caller sees of the sandbox's processes now. */
    private SandboxState status(String name) {
        if (!isRunning(name)) {
            return SandboxState.STOPPED;
        }
        AgentSandbox box = live.get(name);
        return box != null && box.isPaused() ? SandboxState.PAUSED : SandboxState.RUNNING;
    }

    // ---- internals ----------------------------------------------------------------------

    private void launch(SandboxRecord record) {
        SandboxRequest options = SandboxRequest.defaults().withProfile(record.profile()).withMemoryMb(record.memoryMb())
                .withVcpus(record.vcpus()).withNetwork(record.network()).withBackend(record.backend())
                .withEgress(record.egress());
        if (record.image().isPresent()) {
            options = options.withImage(record.image().get());
        }
        SandboxSpec base = resolver.resolve(options);
        List<Mount> mounts = new ArrayList<>(base.mounts());
        SandboxDirs dirs = SandboxDirs.of(sandboxesDir, record.name());
        AgentSandbox box;
        try {
            dirs.open();
            for (Mount own : dirs.mounts(base.readOnlyRoot())) {
                if (record.projectDir().isPresent() && own.sandboxPath().equals(PolicyResolver.WORKSPACE)) {
                    mounts.add(new Mount(this.mounts.requireAllowed(record.projectDir().get()), PolicyResolver.WORKSPACE,
                            base.readOnlyRoot()));
                } else {
                    mounts.add(own);
                }
            }
            mounts.addAll(volumes.acquire(record.name())); // after its own: a volume may sit under /workspace
            SandboxSpec spec = base.withMounts(mounts).withHostname(record.name());
            spec = grantSecrets(record, spec, dirs);
            if (spec.root() instanceof RootFs.Image image) {
                spec = spec.withRoot(image.withWritable(dirs.rootLayer()));
            }
            long starting = System.nanoTime();
            String outcome = "error";
            try {
                box = AgentSandbox.launch(backend, spec, resolver.lease(spec, "sandbox " + record.name()));
                outcome = "ok";
            } finally {
                metrics.time(dev.agentkernel.core.metrics.Metric.SANDBOX_STARTS,
                        Duration.ofNanos(System.nanoTime() - starting), "sandbox", "cold", record.backend(), outcome);
            }
        } catch (RuntimeException e) {
            dirs.close();
            volumes.release(record.name());
            throw e;
        }
        background.put(record.name(), new BackgroundProcesses(record.name(), box, audit, BackgroundProcesses.Limits.DEFAULT));
        live.put(record.name(), box);
        activity.touch(record.name());
        record(AuditEventType.SANDBOX_STARTED, record.name(), Map.of("id", box.id()));
    }

    /** A create request's secrets, checked and kept (inline values sealed); refused where no secrets are kept. */
    private dev.agentkernel.core.secret.SandboxSecrets keptSecrets(CreateSandbox request, SandboxSpec resolved) {
        if (request.secrets().isEmpty() && request.secretFiles().isEmpty() && request.secretsInBody().isEmpty()) {
            return dev.agentkernel.core.secret.SandboxSecrets.NONE;
        }
        if (resolved.network() != NetworkMode.OUTBOUND) {
            throw new InvalidRequestException("secrets are put in place by the host's proxy on the sandbox's network, "
                    + "and this sandbox has none; use the moderate or permissive profile with network");
        }
        dev.agentkernel.core.secret.SecretManager manager = secretManager.orElseThrow(() -> new InvalidRequestException(
                "secrets can be granted only by a daemon (agentkernel serve), which keeps them"));
        return dev.agentkernel.core.secret.SandboxSecrets.of(request.name(), request.secrets(), request.secretFiles(),
                request.secretsInBody(), manager);
    }

    /**
     * {@code spec} with the sandbox's secrets granted for this launch: their placeholders in its
     * environment (and files), the grants for the host's proxy.
     */
    private SandboxSpec grantSecrets(SandboxRecord record, SandboxSpec spec, SandboxDirs dirs) {
        if (record.secrets().isEmpty() || secretManager.isEmpty()) {
            return spec;
        }
        List<dev.agentkernel.model.SecretGrant> grants = record.secrets().grant(record.name(), secretManager.get());
        Map<String, String> env = new java.util.LinkedHashMap<>(spec.env());
        grants.forEach(g -> env.put(g.name(), g.placeholder()));
        List<Mount> mounts = new ArrayList<>(spec.mounts());
        if (!record.secrets().files().isEmpty()) {
            mounts.add(dirs.secretFiles(grants.stream().filter(g -> record.secrets().files().contains(g.name()))
                    .collect(java.util.stream.Collectors.toMap(dev.agentkernel.model.SecretGrant::name,
                            dev.agentkernel.model.SecretGrant::placeholder))));
        }
        return resolver.trusting(spec.withEnv(env).withMounts(mounts).withSecrets(grants));
    }

    private void requireRoom() {
        if (live.size() >= maxRunning) {
            throw new ResourceExhaustedException("too many sandboxes running (" + maxRunning
                    + " at most); stop or remove one first");
        }
    }

    private SandboxRecord require(String name) {
        SandboxNames.requireValid(name);
        return store.find(name).orElseThrow(() -> new NotFoundException("Sandbox '" + name + "' not found"));
    }

    private boolean isRunning(String name) {
        AgentSandbox box = live.get(name);
        if (box == null) {
            return false;
        }
        if (box.isAlive()) {
            return true;
        }
        // under the sandbox's lock, so that its disk is never unmounted under a start that follows
        locked(name, () -> {
            if (live.remove(name, box)) {
                endBackground(name);
                box.close();
                SandboxDirs.of(sandboxesDir, name).close();
                volumes.release(name);
                store.updateState(name, SandboxState.STOPPED);
                Optional<String> violation = box.agent().protocolViolation();
                violation.ifPresent(v -> policyViolation(name, "the sandbox agent sent a malformed frame: " + v));
                record(AuditEventType.SANDBOX_STOPPED, name, Map.of("reason", violation.isPresent()
                        ? "its agent broke the protocol (a malformed frame), so it was stopped"
                        : "its agent process ended unexpectedly"));
            }
            return null;
        });
        return false;
    }

    /**
     * Checks that a sandbox exists and runs.
     *
     * @throws NotFoundException if there is none of that name
     * @throws ConflictException if it is stopped
     */
    public void requireRunningSandbox(String name) {
        requireRunning(name);
        if (!pausing.resumeOnAccess() && isPausedByOwner(name)) {
            throw pausedConflict(name);
        }
    }

    private AgentSandbox requireRunning(String name) {
        require(name);
        AgentSandbox box = live.get(name);
        if (box == null || !isRunning(name)) {
            throw new ConflictException("sandbox '" + name + "' is stopped; start it first (POST /sandboxes/"
                    + name + "/start or 'agentkernel start " + name + "')");
        }
        return box;
    }

    private <T> T withAgent(String name, Function<AgentSandbox, T> action) {
        requireRunning(name); // 404 or 409 before the sandbox counts as in use
        try (SandboxActivity.Busy busy = activity.busy(name)) {
            return withActiveAgent(name, action);
        }
    }

    private <T> T withActiveAgent(String name, Function<AgentSandbox, T> action) {
        AgentSandbox box = active(name);
        try {
            return action.apply(box);
        } catch (PermissionDeniedException e) {
            policyViolation(name, e.getMessage());
            throw e;
        } catch (SandboxFailureException e) {
            throw stoppedMeanwhile(name, e);
        }
    }

    private RuntimeException stoppedMeanwhile(String name, SandboxFailureException e) {
        AgentSandbox box = live.get(name);
        if (box != null && box.agent().protocolViolation().isPresent()) {
            isRunning(name);    // stops it and records the violation
            return e;
        }
        if (!isRunning(name)) {
            return new ConflictException("sandbox '" + name + "' stopped while the request was running");
        }
        return e;
    }

    private <T> T locked(String name, java.util.function.Supplier<T> action) {
        ReentrantLock lock = locks.computeIfAbsent(SandboxNames.requireValid(name), n -> new ReentrantLock());
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private void record(AuditEventType type, String name, Map<String, Object> details) {
        audit.append(AuditEvent.now(type, name, details));
    }
}
