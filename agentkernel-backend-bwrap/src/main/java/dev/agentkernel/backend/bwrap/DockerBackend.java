package dev.agentkernel.backend.bwrap;

import dev.agentkernel.agent.AgentBinary;
import dev.agentkernel.core.backend.BackendDirectories;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.backend.SandboxIds;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.core.cgroup.CgroupDriver;
import dev.agentkernel.core.cgroup.SandboxCgroup;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.host.OwnerTag;
import dev.agentkernel.core.process.Spawner;
import dev.agentkernel.core.process.SupervisedExecution;
import dev.agentkernel.core.seccomp.SeccompArch;
import dev.agentkernel.core.seccomp.SeccompFilterFile;
import dev.agentkernel.core.seccomp.SeccompPolicy;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxFailureException;
import dev.agentkernel.model.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Runs each sandbox as a container of a Docker engine that remaps users ({@code dockerd
 * --userns-remap}): {@code docker run -i} (arguments by {@link DockerRunArguments}) of the sandbox's
 * image as loaded into the engine by {@link DockerImages}, the agent as the container's first
 * process, its standard streams the sandbox's. The container's cgroup is nested in AgentKernel's
 * own cgroup of the sandbox ({@link NestedCgroup}), which carries the same limits, so
 * {@link SupervisedExecution} supervises it as any other backend's: timeouts, kills, pause, OOM.
 * Afterwards {@code docker rm -f} removes the container (kept until then so that the engine's
 * {@code State.OOMKilled} can be asked). Containers of AgentKernel processes that died are removed
 * when the backend opens.
 *
 * <p>A sandbox with network gets the host bridge and its rules as every other backend's: the engine
 * makes the container's network namespace ({@code --network none}: loopback only); once the
 * container runs, the launcher ({@code ak-launch --netns PID CGROUP}) wires that namespace to the
 * bridge (the veth pair, the address from the container's pid, the routes of the policy), the
 * egress gateway admits the sandbox when it has a policy or secrets, and only then does the agent
 * go on: it waits on a FIFO of the host ({@link LaunchGate}, bound into the container, the agent's
 * {@code --gate}) before it runs or serves anything, so nothing of the sandbox runs before its
 * network and its rules are in place.
 *
 * <p>A persistent sandbox's writable layer is its own directory under AgentKernel's state, as on every other
 * backend (so stop/start, restarts, snapshots and forks work the same): its container is made with
 * {@code docker create}, given that layer by {@link DockerLayers}, then run with {@code docker start --attach
 * --interactive}; a container per start, removed at its end, the layer taken back first.
 */
final class DockerBackend implements PayloadBackend {

    /** The backend's name. */
    static final String NAME = "docker";

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** How long a container may take to run before its network is wired. */
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    private static final System.Logger LOG = System.getLogger(DockerBackend.class.getName());

    private final DockerClient client;
    private final CgroupDriver cgroups;
    private final Path cgroupRoot;
    private final DockerImages images;
    private final DockerRunArguments arguments;
    private final SandboxIds ids;
    private final DockerLayers layers;
    private final SandboxUsers users;
    private final Path stateDir;
    private final NetworkChoice networks;
    private final Path launcher;
    private final Path gates;

    DockerBackend(HostContext host, DockerClient client, DockerEngineInfo engine, CgroupDriver cgroups, Path cgroupRoot) {
        this.client = client;
        this.cgroups = cgroups;
        this.cgroupRoot = cgroupRoot;
        Path payload = host.stateDir().resolve("docker-payload");
        Path agent = AgentBinary.extractTo(payload);
        Path seccomp = SeccompFilterFile.ensure(payload, SeccompPolicy.defaults(), SeccompArch.current());
        this.images = new DockerImages(client, host.stateDir().resolve("docker-import"), List.of(agent, seccomp),
                hashOf(List.of(agent, seccomp)));
        this.arguments = new DockerRunArguments(agent.getFileName().toString(), seccomp.getFileName().toString());
        this.ids = new SandboxIds(engine.remappedRoot().orElseThrow(() -> new BackendUnavailableException(
                "the Docker engine at " + client.host() + " does not say which host uid its containers' root is")), 65_536);
        this.layers = new DockerLayers(client, ids.hostBase());
        this.users = new SandboxUsers(ids.hostBase(), ids.count());
        this.stateDir = host.stateDir().toAbsolutePath().normalize();
        this.networks = new NetworkChoice(host, Optional.empty());
        this.launcher = LauncherBinary.extractTo(host.stateDir().resolve("bin"));
        this.gates = BackendDirectories.of(host.runtimeDir(), NAME);
        reapStale();
    }

    private static String hashOf(List<Path> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path file : files) {
                sha.update(Files.readAllBytes(file));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new BackendUnavailableException("cannot read the agent for the Docker engine: " + e.getMessage());
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SandboxIds sandboxIds() {
        return ids;
    }

    @Override
    public NetworkChoice networks() {
        return networks;
    }

    @Override
    public Optional<List<String>> commandLine(SandboxSpec spec, CommandSpec command) {
        if (!(spec.root() instanceof RootFs.Image image)) {
            return Optional.empty();
        }
        List<String> argv = new ArrayList<>(client.command(List.of()).command());
        argv.addAll(arguments.build(spec, new BwrapCommandLine.Payload.Command(command), "NAME",
                "/" + CgroupDriver.PARENT + "/NAME", images.tag(image, spec.network() == NetworkMode.OUTBOUND),
                Optional.empty()));
        return Optional.of(argv);
    }

    @Override
    public Execution launch(SandboxSpec spec, BwrapCommandLine.Payload payload, Optional<Duration> timeout,
                             Stdio stdio) {
        if (!(spec.root() instanceof RootFs.Image image)) {
            throw new BackendUnavailableException("the docker backend runs sandboxes on an image only, not on the "
                    + "host's /usr (image \"host\"); name an image, or use the bwrap backend");
        }
        boolean network = spec.network() == NetworkMode.OUTBOUND;
        Optional<NetworkChoice.Bridged> bridged = network ? Optional.of(networks.bridgeFor(NAME, spec)) : Optional.empty();
        Optional<BridgeNetwork> bridge = bridged.map(NetworkChoice.Bridged::bridge);
        boolean policed = bridged.map(NetworkChoice.Bridged::policed).orElse(false);
        String tag = images.ensure(image, network);
        String id = OwnerTag.next(); // one sequence for every backend: two sandboxes never share a cgroup
        String container = "agentkernel-" + id;
        String cgroupPath = "/" + CgroupDriver.PARENT + "/" + id;
        Path gateDir = gates.resolve(id);
        SandboxCgroup cgroup = null;
        Process process = null;
        LaunchGate gate = null;
        AutoCloseable admission = null;
        try {
            if (network) {
                gate = LaunchGate.create(gateDir.resolve("gate"));
                readableBySandboxRootOnly(gateDir.resolve("gate"));
            }
            // AgentKernel's own directories the sandbox writes (its workspace, a session's files) are its user's, as on
            // every backend; the engine binds them as they are (no idmapped mounts), so they are owned by that host uid
            for (dev.agentkernel.model.Mount mount : spec.mounts()) {
                if (!mount.readOnly() && mount.hostPath().toAbsolutePath().normalize().startsWith(stateDir)) {
                    users.own(mount.hostPath());
                }
            }
            List<String> args = arguments.build(spec, payload, container, cgroupPath, tag,
                    network ? Optional.of(gateDir.resolve("gate")) : Optional.empty());
            cgroup = new NestedCgroup(cgroups.create(id, spec.limits()), cgroupPath, cgroupRoot, true,
                    () -> engineOomKilled(container));
            ProcessBuilder builder;
            if (image.writable().isPresent()) {
                // a persistent sandbox: created, given its own writable layer, then started attached
                args.set(0, "create");
                DockerClient.Result created = client.call(CALL_TIMEOUT, args.toArray(String[]::new));
                if (!created.ok()) {
                    throw new SandboxFailureException("cannot create the docker sandbox: " + created.reason());
                }
                layers.lend(container, image.writable().get());
                builder = client.command(List.of("start", "--attach", "--interactive", container));
            } else {
                builder = client.command(args);
            }
            SupervisedExecution.applyRedirects(builder, stdio);
            process = Spawner.start(builder);
            if (network) {
                long pid = containerInit(cgroup, process);
                wire(pid, cgroupPath, bridge.get(), networks.egress().allowing(spec.egress().allowAddresses()));
                if (policed) {
                    admission = networks.gateway().admit(BridgeNetwork.addressOf(pid), spec.hostname(), spec.egress(),
                            spec.secrets());
                }
                gate.open();
            }
            LaunchGate ownedGate = gate;
            AutoCloseable ownedAdmission = admission;
            return SupervisedExecution.supervise(id, process, stdio, timeout, SupervisedExecution.DEFAULT_GRACE,
                    cgroup, spec.limits().memoryMb(), () -> {
                        if (image.writable().isPresent()) {
                            layers.reclaim(container);
                        }
                        remove(container);
                        Egress.end(ownedAdmission, ownedGate, gateDir);
                    });
        } catch (RuntimeException | IOException e) {
            if (process != null) {
                process.destroyForcibly();
            }
            if (cgroup != null) {
                cgroup.close();
            }
            layers.reclaim(container);
            remove(container);
            Egress.end(admission, gate, gateDir);
            if (e instanceof AgentKernelException ake) {
                throw ake;
            }
            throw new SandboxFailureException("cannot start the docker sandbox: " + e.getMessage(), e);
        }
    }

    /** The gate's FIFO: owned by the sandbox's root (the engine's remapped root), readable by it alone. */
    private void readableBySandboxRootOnly(Path fifo) throws IOException {
        Files.setAttribute(fifo, "unix:uid", Math.toIntExact(ids.hostBase()));
        Files.setAttribute(fifo, "unix:gid", Math.toIntExact(ids.hostBase()));
        Files.setPosixFilePermissions(fifo, PosixFilePermissions.fromString("r--------"));
    }

    /**
     * The host pid of the container's first process (pid 1 of its pid namespace: runc's init, then the agent
     * waiting at its gate; the same process), found in the sandbox's cgroup, where the engine nests the
     * container's: the process there whose {@code NSpid} ends in 1. Read from {@code /proc} every 2 ms, which
     * is faster than asking the engine ({@code docker inspect}: a CLI process of ~25 ms per question).
     *
     * @throws SandboxFailureException if {@code docker} ends first or the container does not run in time
     */
    private static long containerInit(SandboxCgroup cgroup, Process run) {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (long pid : cgroup.pids()) {
                if (isNamespaceInit(pid)) {
                    return pid;
                }
            }
            if (!run.isAlive()) {
                throw new SandboxFailureException("the docker sandbox ended before it ran (docker exit code "
                        + run.exitValue() + ")");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxFailureException("interrupted while the docker sandbox started", e);
            }
        }
        throw new SandboxFailureException("the docker sandbox did not run within " + START_LIMIT.toSeconds() + " s");
    }

    /** Whether {@code pid} is pid 1 of a pid namespace below the host's ({@code NSpid: HOSTPID ... 1}). */
    static boolean isNamespaceInit(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] ids = line.substring("NSpid:".length()).strip().split("\\s+");
                    return ids.length >= 2 && ids[ids.length - 1].equals("1");
                }
            }
        } catch (IOException e) {
            // gone meanwhile
        }
        return false;
    }

    /** The container's network namespace wired to the bridge, with the routes of {@code egress}, by the launcher. */
    private void wire(long pid, String cgroupPath, BridgeNetwork bridge, EgressPolicy egress) {
        List<String> argv = new ArrayList<>(List.of(launcher.toString(), "--netns", Long.toString(pid), cgroupPath));
        argv.addAll(bridge.launchArguments(egress));
        try {
            BridgeNetwork.run(argv, "");
        } catch (BackendUnavailableException e) {
            throw new SandboxFailureException("cannot wire the docker sandbox's network: " + e.getMessage(), e);
        }
    }

    /** Whether the engine recorded an OOM kill in the (stopped, not yet removed) container. */
    private boolean engineOomKilled(String container) {
        try {
            DockerClient.Result r = client.call(CALL_TIMEOUT, "inspect", "--format", "{{.State.OOMKilled}}", container);
            return r.ok() && r.out().strip().equals("true");
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes the container, whatever its state. Never throws. */
    private void remove(String container) {
        try {
            DockerClient.Result r = client.call(CALL_TIMEOUT, "rm", "--force", "--volumes", container);
            if (!r.ok() && !r.err().contains("No such container")) {
                LOG.log(System.Logger.Level.WARNING, "docker rm " + container + ": " + r.reason());
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "docker rm " + container + ": " + e.getMessage());
        }
    }

    /** Containers of AgentKernel processes that died: removed (with the cgroups of every backend). */
    private void reapStale() {
        NestedCgroup.reapOrphans(cgroupRoot);
        cgroups.reapStale();
        LaunchChannel.deleteOrphanedEntries(gates);
        try {
            DockerClient.Result r = client.call(CALL_TIMEOUT, "ps", "--all", "--filter", "label="
                    + DockerRunArguments.LABEL, "--format", "{{.Label \"" + DockerRunArguments.LABEL + "\"}}");
            if (!r.ok()) {
                return;
            }
            for (String id : r.out().lines().map(String::strip).filter(s -> s.startsWith("agentkernel-")).toList()) {
                if (OwnerTag.isOrphaned(id.substring("agentkernel-".length()))) {
                    layers.reclaim(id);
                    remove(id);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list the Docker engine's containers: " + e.getMessage());
        }
    }
}
