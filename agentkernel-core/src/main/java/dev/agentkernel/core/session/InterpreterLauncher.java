package dev.agentkernel.core.session;

import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.core.sandbox.SandboxDirs;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts {@link Interpreter}s: a sandbox of the {@code moderate} profile sized by a
 * {@link Flavor}, with its own {@code /workspace} under {@code <sessionsDir>/<name>} (on a disk
 * image of {@code diskMb} when disks are limited, see {@link SandboxDirs}; its
 * {@code /tmp} is the backend's size-limited tmpfs), the drivers mounted read-only at {@link Interpreter#DRIVER_DIR},
 * the configured volumes and the session's own, and the template's driver running in it.
 */
public final class InterpreterLauncher {

    /** The prefix of every interpreter's directory name under the sessions directory. */
    static final String NAME_PREFIX = "i-";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final System.Logger LOG = System.getLogger(InterpreterLauncher.class.getName());

    private final IsolationBackend backend;
    private final PolicyResolver resolver;
    private final Path driversDir;
    private final Path sessionsDir;
    private final List<Mount> sharedVolumes;
    private final OptionalLong diskMb;
    /** Names of interpreters started (or starting) and not closed yet. */
    private final Set<String> active = ConcurrentHashMap.newKeySet();

    /**
     * @param driversDir    the host directory holding the drivers ({@link DriverFiles#extractTo})
     * @param sessionsDir   where interpreters' directories are created
     * @param sharedVolumes volumes of every session (from configuration), already checked against the policy
     * @param diskMb        size of each interpreter's own disk (its {@code /workspace}); empty: a plain host directory
     */
    public InterpreterLauncher(IsolationBackend backend, PolicyResolver resolver, Path driversDir,
                               Path sessionsDir, List<Mount> sharedVolumes, OptionalLong diskMb) {
        this.diskMb = Objects.requireNonNull(diskMb, "diskMb");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.driversDir = Objects.requireNonNull(driversDir, "driversDir");
        this.sessionsDir = Objects.requireNonNull(sessionsDir, "sessionsDir");
        this.sharedVolumes = List.copyOf(sharedVolumes);
    }

    /** The name of the backend interpreters start on when a session names none. */
    public String defaultBackend() {
        return backend.name();
    }

    /** Size of each interpreter's own disk in MiB; empty when its workspace is not limited. */
    public OptionalLong diskMb() {
        return diskMb;
    }

    /** The directory under which every interpreter has its own. */
    public Path sessionsDir() {
        return sessionsDir;
    }

    /**
     * Starts an interpreter and waits until its driver answers.
     *
     * @param volumes the session's own volumes, already checked against the policy
     * @throws dev.agentkernel.model.CodeExecutionException if the interpreter cannot start; nothing is left behind
     */
    public Interpreter launch(InterpreterTemplate template, Flavor flavor, List<Mount> volumes) {
        return launch(template, flavor, volumes, java.util.Optional.empty());
    }

    /**
     * Starts an interpreter on {@code backend} (empty: the default).
     *
     * @throws dev.agentkernel.model.CodeExecutionException if the interpreter cannot start; nothing is left behind
     */
    public Interpreter launch(InterpreterTemplate template, Flavor flavor, List<Mount> volumes,
                              java.util.Optional<String> backendName) {
        return launch(template, flavor, volumes, backendName, dev.agentkernel.model.NetworkPolicy.NONE);
    }

    /**
     * Starts an interpreter on {@code backend} (empty: the default) whose network is under {@code egress}.
     *
     * @throws dev.agentkernel.model.CodeExecutionException if the interpreter cannot start; nothing is left behind
     */
    public Interpreter launch(InterpreterTemplate template, Flavor flavor, List<Mount> volumes,
                              java.util.Optional<String> backendName, dev.agentkernel.model.NetworkPolicy egress) {
        String name = NAME_PREFIX + HexFormat.of().formatHex(bytes());
        SandboxDirs dirs = SandboxDirs.of(sessionsDir, name);
        active.add(name);
        return Interpreter.start(this, name, dirs, template, flavor, volumes, backendName, egress);
    }

    private static byte[] bytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Whether {@code name} is an interpreter started by this launcher and not closed yet. */
    public boolean isActive(String name) {
        return active.contains(name);
    }

    /**
     * Deletes the interpreter directories under the sessions directory that belong to no
     * active interpreter (left by a daemon that died, or by a start that failed half-way);
     * returns how many.
     */
    public int removeOrphans() {
        int removed = 0;
        if (!Files.isDirectory(sessionsDir)) {
            return 0;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(sessionsDir, NAME_PREFIX + "*")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!active.contains(name) && new SandboxDirs(entry).delete()) {
                    LOG.log(System.Logger.Level.INFO, "removed orphaned session directory " + entry);
                    removed++;
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot look for orphaned sessions in " + sessionsDir + ": " + e.getMessage());
        }
        return removed;
    }

    /** An interpreter was closed. */
    void forget(String name) {
        active.remove(name);
    }

    /** Starts the sandbox of an interpreter (its directories exist). */
    AgentSandbox startSandbox(SandboxDirs dirs, InterpreterTemplate template, Flavor flavor, List<Mount> volumes,
                              java.util.Optional<String> backendName, dev.agentkernel.model.NetworkPolicy egress) {
        SandboxRequest options = SandboxRequest.defaults().withProfile(Profile.MODERATE)
                .withMemoryMb(flavor.memoryMb()).withVcpus(flavor.cpus())
                .withImage(resolver.configuredDefaultImage().orElse(template.image())).withEgress(egress);
        if (backendName.isPresent()) {
            options = options.withBackend(backendName.get());
        }
        SandboxSpec base = resolver.resolve(options);
        List<Mount> mounts = new ArrayList<>(base.mounts());
        dirs.open();
        // Only /workspace is a host directory: /tmp stays the backend's size-limited tmpfs (charged to the
        // sandbox's memory), so that output captured there or junk written there cannot fill the host's disk.
        dirs.mounts(false).stream().filter(m -> m.sandboxPath().equals(Interpreter.WORKDIR)).forEach(mounts::add);
        mounts.add(new Mount(driversDir, Interpreter.DRIVER_DIR, true));
        mounts.addAll(sharedVolumes);
        mounts.addAll(volumes);
        SandboxSpec spec = base.withMounts(mounts).withWorkdir(Interpreter.WORKDIR).withHostname("session");
        return AgentSandbox.launch(backend, spec, resolver.lease(spec, "code session"));
    }
}
