package dev.agentkernel.backend.bwrap;

import dev.agentkernel.agent.AgentBinary;
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
 * when the backend opens. Sandboxes get no network on this backend, and the image's writable layer
 * of a persistent sandbox is not kept: both are refused with the reason (503).
 */
final class DockerBackend implements PayloadBackend {

    /** The backend's name. */
    static final String NAME = "docker";

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final System.Logger LOG = System.getLogger(DockerBackend.class.getName());

    private final DockerClient client;
    private final CgroupDriver cgroups;
    private final Path cgroupRoot;
    private final DockerImages images;
    private final DockerRunArguments arguments;
    private final SandboxIds ids;

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
    public Optional<List<String>> commandLine(SandboxSpec spec, CommandSpec command) {
        if (!(spec.root() instanceof RootFs.Image image)) {
            return Optional.empty();
        }
        List<String> argv = new ArrayList<>(client.command(List.of()).command());
        argv.addAll(arguments.build(spec, new BwrapCommandLine.Payload.Command(command), "NAME",
                "/" + CgroupDriver.PARENT + "/NAME", images.tag(image, spec.network() == NetworkMode.OUTBOUND)));
        return Optional.of(argv);
    }

    @Override
    public Execution launch(SandboxSpec spec, BwrapCommandLine.Payload payload, Optional<Duration> timeout,
                             Stdio stdio) {
        if (spec.network() == NetworkMode.OUTBOUND) {
            throw new BackendUnavailableException("the docker backend cannot give this sandbox network (it does not "
                    + "wire containers to AgentKernel's host bridge and its egress rules); use a profile or request "
                    + "without network, or the bwrap, runc or crun backend");
        }
        if (!(spec.root() instanceof RootFs.Image image)) {
            throw new BackendUnavailableException("the docker backend runs sandboxes on an image only, not on the "
                    + "host's /usr (image \"host\"); name an image, or use the bwrap backend");
        }
        if (image.writable().isPresent()) {
            throw new BackendUnavailableException("the docker backend does not keep a persistent sandbox's writable "
                    + "root layer across stop and start; use the bwrap, runc or crun backend for persistent sandboxes");
        }
        String tag = images.ensure(image, false);
        String id = OwnerTag.next(); // one sequence for every backend: two sandboxes never share a cgroup
        String container = "agentkernel-" + id;
        SandboxCgroup cgroup = null;
        Process process = null;
        try {
            List<String> args = arguments.build(spec, payload, container, "/" + CgroupDriver.PARENT + "/" + id, tag);
            cgroup = new NestedCgroup(cgroups.create(id, spec.limits()), "/" + CgroupDriver.PARENT + "/" + id, cgroupRoot, true,
                    () -> engineOomKilled(container));
            ProcessBuilder builder = client.command(args);
            SupervisedExecution.applyRedirects(builder, stdio);
            process = Spawner.start(builder);
            return SupervisedExecution.supervise(id, process, stdio, timeout, SupervisedExecution.DEFAULT_GRACE,
                    cgroup, spec.limits().memoryMb(), () -> remove(container));
        } catch (RuntimeException e) {
            if (process != null) {
                process.destroyForcibly();
            }
            if (cgroup != null) {
                cgroup.close();
            }
            remove(container);
            if (e instanceof AgentKernelException ake) {
                throw ake;
            }
            throw new SandboxFailureException("cannot start the docker sandbox: " + e.getMessage(), e);
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
        try {
            DockerClient.Result r = client.call(CALL_TIMEOUT, "ps", "--all", "--filter", "label="
                    + DockerRunArguments.LABEL, "--format", "{{.Label \"" + DockerRunArguments.LABEL + "\"}}");
            if (!r.ok()) {
                return;
            }
            for (String id : r.out().lines().map(String::strip).filter(s -> s.startsWith("agentkernel-")).toList()) {
                if (OwnerTag.isOrphaned(id.substring("agentkernel-".length()))) {
                    remove(id);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list the Docker engine's containers: " + e.getMessage());
        }
    }
}
