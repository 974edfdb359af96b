package dev.agentkernel.backend.bwrap;

import dev.agentkernel.agent.AgentBinary;
import dev.agentkernel.core.backend.BackendDirectories;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.core.cgroup.CgroupDriver;
import dev.agentkernel.core.cgroup.SandboxCgroup;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.host.OwnerTag;
import dev.agentkernel.core.process.ForkServer;
import dev.agentkernel.core.process.SupervisedExecution;
import dev.agentkernel.core.seccomp.SeccompArch;
import dev.agentkernel.core.seccomp.SeccompFilterFile;
import dev.agentkernel.core.seccomp.SeccompPolicy;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxFailureException;
import dev.agentkernel.model.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs each sandbox through an OCI runtime ({@link OciRuntime}: runc, crun, gVisor's runsc, or podman with runc) on an
 * image, behind the same launcher, cgroups, network and agent as {@link BwrapBackend}: the launcher
 * joins the sandbox's cgroup(s), makes its network namespace (the host bridge), stages the image's
 * layers idmapped under the sandbox's ids and every other source, and execs the runtime as host
 * root in that private mount namespace ({@code --host-root}); the runtime runs the bundle written
 * by {@link OciSpecBuilder} in the foreground, so the sandbox's standard streams are the launcher's
 * and {@link SupervisedExecution} supervises it as it does bubblewrap. Afterwards the runtime's
 * {@code delete --force} removes what it keeps of the container, and the bundle is deleted.
 */
final class OciBackend implements PayloadBackend {

    private static final Duration DELETE_TIMEOUT = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(OciBackend.class.getName());

    private final OciRuntime runtime;
    private final Path launcher;
    /** Starts the launcher: forked by its long-lived instance (see ForkServer). */
    private final ForkServer.Lease launches;
    private final NetworkChoice networks;
    private final CgroupDriver cgroups;
    private final SandboxUsers users;
    private final Path stateDir;
    private final Path stage;
    private final Path bundles;
    private final Path runtimeState;
    private final Path payload;
    private final OciSpecBuilder specs;

    OciBackend(HostContext host, OciRuntime runtime, CgroupDriver cgroups) {
        this.runtime = runtime;
        this.users = SandboxUsers.forHost(host).orElseThrow(() -> new BackendUnavailableException("the "
                + runtime.backend() + " backend needs AgentKernel to run as root"));
        this.stateDir = host.stateDir().toAbsolutePath().normalize();
        this.stage = StageDirectory.ensure();
        this.networks = new NetworkChoice(host, Optional.empty());
        this.cgroups = cgroups;
        this.bundles = BackendDirectories.of(host.runtimeDir(), runtime.backend());
        this.runtimeState = BackendDirectories.runtimeState(host.runtimeDir(), runtime.backend());
        this.launcher = LauncherBinary.extractTo(host.stateDir().resolve("bin"));
        this.launches = ForkServer.lease(launcher);
        this.payload = host.stateDir().resolve("oci-payload");
        Path agent = AgentBinary.extractTo(payload);
        Path seccomp = SeccompFilterFile.ensure(payload, SeccompPolicy.defaults(), SeccompArch.current());
        if (!agent.getParent().equals(seccomp.getParent())) {
            throw new IllegalStateException("the agent and the seccomp filter must share the payload directory");
        }
        Path emptyLayer = host.stateDir().resolve("oci-empty");
        try {
            Files.createDirectories(emptyLayer);
        } catch (IOException e) {
            throw new BackendUnavailableException("cannot create " + emptyLayer + ": " + e.getMessage());
        }
        this.specs = new OciSpecBuilder(runtime, users, EtcSkeleton.prepare(host.stateDir()), emptyLayer,
                agent.getFileName().toString(), seccomp.getFileName().toString());
        try {
            Files.createDirectories(runtimeState);
        } catch (IOException e) {
            throw new BackendUnavailableException("cannot create " + runtimeState + ": " + e.getMessage());
        }
        reapStale();
    }

    @Override
    public String name() {
        return runtime.backend();
    }

    @Override
    public NetworkChoice networks() {
        return networks;
    }

    /**
     * Stops the egress gateway (its nftables table goes with it), retires the launchers' fork server
     * and removes the runtime's directory of sandbox directories when no sandbox (of any AgentKernel)
     * has one there any more.
     */
    @Override
    public void close() {
        networks.close();
        launches.close(); // the launchers' fork server ends once the sandboxes it started have
        runtime.sandboxDirectories().ifPresent(dir -> {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException notEmpty) {
                // another sandbox's is still there
            }
        });
    }

    @Override
    public dev.agentkernel.core.backend.SandboxIds sandboxIds() {
        return users.ids();
    }

    @Override
    public Execution launch(SandboxSpec spec, BwrapCommandLine.Payload body, Optional<Duration> timeout, Stdio stdio) {
        boolean network = spec.network() == NetworkMode.OUTBOUND;
        Optional<NetworkChoice.Bridged> bridged = Optional.empty();
        if (network) {
            runtime.networkUnsupported().ifPresent(reason -> {
                throw new BackendUnavailableException("the " + runtime.backend() + " backend cannot give this sandbox "
                        + "network: " + reason);
            });
            bridged = Optional.of(networks.bridgeFor(runtime.backend(), spec));
        }
        Optional<BridgeNetwork> bridge = bridged.map(NetworkChoice.Bridged::bridge);
        boolean policed = bridged.map(NetworkChoice.Bridged::policed).orElse(false);
        if (spec.root() instanceof RootFs.Image image) {
            ImageMountTargets.requireNoLinks(image, network ? image.etcOnline() : image.etcOffline(), spec.mounts());
        }
        String id = OwnerTag.next(); // one sequence for every backend: two sandboxes never share a cgroup
        Path bundle = bundles.resolve(id);
        SandboxCgroup cgroup = null;
        Process process = null;
        LaunchGate gate = null;
        AutoCloseable admission = null;
        Path gateDir = runtimeState.resolveSibling(id); // the launch gate's FIFO, gone with the sandbox
        try {
            MountSources.Staged sources = new MountSources.Staged(stage, stateDir);
            OciSpec config = specs.build(spec, body, sources, payload, CgroupDriver.PARENT + "/" + id, bridge.isPresent());
            CgroupDriver.Prepared prepared = cgroups.prepare(id, spec.limits()); // made by the launcher
            cgroup = prepared.group();
            Files.createDirectories(bundle);
            Files.write(bundle.resolve("config.json"), config.toJson());
            runtime.prepare(bundle);
            sources.owned().forEach(users::own);
            List<String> argv = new ArrayList<>(64);
            argv.add(launcher.toString());
            argv.addAll(prepared.recipe().launchArguments());
            EgressPolicy ranges = networks.egress().allowing(spec.egress().allowAddresses());
            bridge.ifPresent(b -> argv.addAll(b.launchArguments(ranges)));
            if (policed) {
                gate = LaunchGate.create(gateDir.resolve("gate"));
                argv.addAll(gate.launchArguments());
            }
            argv.addAll(users.launchArguments());
            argv.addAll(sources.launcherArguments());
            argv.add("--host-root");
            argv.addAll(runtime.launcherOptions());
            argv.add("--");
            argv.addAll(runtime.run(runtimeState, bundle, id, network, config));
            // in the bundle, whatever the runtime writes to its working directory goes with it (podman's conmon
            // writes a file named oom there when the container's group hits its memory limit)
            ProcessBuilder builder = new ProcessBuilder(argv).directory(bundle.toFile());
            builder.environment().clear();
            builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            builder.environment().putAll(runtime.environment(bundle));
            SupervisedExecution.applyRedirects(builder, stdio);
            process = launches.start(builder); // forked by a long-lived launcher (no spawn, no exec)
            if (policed) {
                admission = networks.gateway().admit(BridgeNetwork.addressOf(process.pid()), spec.hostname(),
                        spec.egress(), spec.secrets());
                gate.open();
            }
            SandboxCgroup supervised = new NestedCgroup(cgroup, config.linux().cgroupsPath(), BwrapProvider.CGROUP_ROOT,
                    runtime.nestsCgroups());
            LaunchGate ownedGate = gate;
            AutoCloseable ownedAdmission = admission;
            return SupervisedExecution.supervise(id, process, stdio, timeout, SupervisedExecution.DEFAULT_GRACE,
                    supervised, spec.limits().memoryMb(), () -> {
                        removeContainer(id);
                        Egress.end(ownedAdmission, ownedGate, gateDir);
                    });
        } catch (RuntimeException | IOException e) {
            if (process != null) {
                process.destroyForcibly();
            }
            if (cgroup != null) {
                new NestedCgroup(cgroup, "/" + CgroupDriver.PARENT + "/" + id, BwrapProvider.CGROUP_ROOT,
                        runtime.nestsCgroups()).close();
            }
            removeContainer(id);
            Egress.end(admission, gate, gateDir);
            if (e instanceof AgentKernelException ake) {
                throw ake;
            }
            throw new SandboxFailureException("cannot start the " + runtime.backend() + " sandbox: " + e.getMessage(), e);
        }
    }

    /**
     * Forgets the container, then deletes the bundle. Never throws. Called once every process of the
     * sandbox is gone (its cgroup destroyed): what a runtime kept of a container that ended is then only
     * its state. runc keeps it ({@code --keep}) in a directory of its own, which goes without spawning
     * runc again; podman keeps all of its state in the bundle and in its run directory
     * ({@link OciRuntime#sandboxDirectories}), which both go; crun and runsc delete their containers when
     * {@code run} ends, so the runtime's {@code delete --force} runs only when something of the container
     * is left (its run was killed).
     */
    private void removeContainer(String id) {
        if (runtime instanceof OciRuntime.Runc) {
            LaunchChannel.deleteTree(runtimeState.resolve(id));
        } else {
            runtime.delete(runtimeState, id).filter(argv -> stateLeft(id)).ifPresent(this::deleteByRuntime);
        }
        LaunchChannel.deleteTree(bundles.resolve(id));
        runtime.sandboxDirectories().ifPresent(dir -> LaunchChannel.deleteTree(dir.resolve(id)));
    }

    /** Whether the runtime's state directory holds anything named after the container. */
    private boolean stateLeft(String id) {
        try (var entries = Files.list(runtimeState)) {
            return entries.anyMatch(e -> e.getFileName().toString().contains(id));
        } catch (IOException e) {
            return true; // when in doubt, ask the runtime
        }
    }

    private void deleteByRuntime(List<String> argv) {
        String id = argv.getLast();
        try {
            ProcessBuilder delete = new ProcessBuilder(argv)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            delete.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            Process p = delete.start();
            if (!p.waitFor(DELETE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                LOG.log(System.Logger.Level.WARNING, runtime.backend() + " delete " + id + " did not end in time");
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot run " + runtime.binary() + " delete: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Containers and bundles of AgentKernel processes that died: deleted. */
    private void reapStale() {
        NestedCgroup.reapOrphans(BwrapProvider.CGROUP_ROOT);
        cgroups.reapStale();
        try (var entries = Files.list(bundles)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!BackendDirectories.isBackendsOwn(bundles.getParent(), entry) && OwnerTag.isOrphaned(name)) {
                    removeContainer(name);
                }
            }
        } catch (IOException ignored) {
            // nothing to reap
        }
        runtime.sandboxDirectories().ifPresent(LaunchChannel::deleteOrphanedEntries);
    }
}
