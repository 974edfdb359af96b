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
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.SandboxFailureException;
import dev.agentkernel.model.SandboxSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs each command in a fresh bubblewrap sandbox inside its own cgroup.
 *
 * <p>Launch: the static launcher {@code ak-launch} ({@link LauncherBinary}) puts itself into
 * the sandbox's cgroup(s), for the bridge network creates the sandbox's network namespace and
 * veth pair ({@link BridgeNetwork}), opens the seccomp filter (and, for slirp4netns, the launch
 * FIFOs) on fixed descriptors and {@code exec}s bubblewrap; every process of the sandbox is
 * therefore limited from its first instruction. With slirp4netns, bubblewrap stops before
 * running the command until slirp4netns has configured the sandbox's interface.
 */
final class BwrapBackend implements PayloadBackend {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

    private final Path launcher;
    /** Starts the launcher: forked by its long-lived instance (see ForkServer). */
    private final ForkServer.Lease launches;
    private final Path netGuard;
    private final NetworkChoice networks;
    private final CgroupDriver cgroups;
    private final Path seccompFilter;
    private final Path runtimeDir;
    private final BwrapCommandLine commandLine;
    private final Optional<SandboxUsers> users;
    private final Path stateDir;
    private final Path stage;

    BwrapBackend(HostContext host, Path bwrap, Optional<Path> slirp, CgroupDriver cgroups) {
        this.users = SandboxUsers.forHost(host);
        this.stateDir = host.stateDir().toAbsolutePath().normalize();
        this.stage = users.isPresent() ? StageDirectory.ensure() : null;
        this.networks = new NetworkChoice(host, slirp);
        this.cgroups = cgroups;
        this.runtimeDir = BackendDirectories.of(host.runtimeDir(), BwrapProvider.NAME);
        this.launcher = LauncherBinary.extractTo(host.stateDir().resolve("bin"));
        this.launches = ForkServer.lease(launcher);
        this.netGuard = NetGuardBinary.extractTo(host.stateDir().resolve("bin"));
        this.seccompFilter = SeccompFilterFile.ensure(host.stateDir().resolve("seccomp"), SeccompPolicy.defaults(),
                SeccompArch.current());
        this.commandLine = new BwrapCommandLine(bwrap, EtcSkeleton.prepare(host.stateDir()),
                BwrapCommandLine.RootLayout.ofHost(), AgentBinary.extractTo(host.stateDir().resolve("agent")));
        reapStale();
    }

    /** Stops the egress gateway, if a sandbox started it, and retires the launchers' fork server (it ends with the last sandbox it started). */
    @Override
    public void close() {
        networks.close();
        launches.close();
    }

    @Override
    public String name() {
        return BwrapProvider.NAME;
    }

    @Override
    public NetworkChoice networks() {
        return networks;
    }

    /** The mapped range of a root daemon, else this process's user (bubblewrap's own user namespace). */
    @Override
    public dev.agentkernel.core.backend.SandboxIds sandboxIds() {
        return users.map(SandboxUsers::ids).orElseGet(dev.agentkernel.core.backend.SandboxIds::ofThisProcess);
    }

    /** Sandboxes run on the image they name (as root: the launcher mounts its layers). */
    @Override
    public boolean usesImages() {
        return true;
    }

    /**
     * bubblewrap and its arguments; the launcher adds fd 3 (seccomp) and, with network, either
     * the sandbox's network namespace (bridge: then there is no {@code --unshare-net}) or fds 4
     * and 5 (slirp4netns).
     */
    @Override
    public Optional<List<String>> commandLine(SandboxSpec spec, CommandSpec command) {
        return Optional.of(commandLine.build(spec, command, wiring(spec).wiring()));
    }

    private NetworkChoice.Decision wiring(SandboxSpec spec) {
        return spec.network() == NetworkMode.OUTBOUND ? networks.decide()
                : new NetworkChoice.Decision(NetworkWiring.OFFLINE, Optional.empty(), Optional.empty());
    }

    @Override
    public Execution launch(SandboxSpec spec, BwrapCommandLine.Payload payload, Optional<Duration> timeout,
                             Stdio stdio) {
        if (users.isEmpty() && spec.root() instanceof dev.agentkernel.model.RootFs.Image image) {
            throw new SandboxFailureException("cannot run on the image " + image.reference() + ": sandboxes on images "
                    + "need AgentKernel to run as root (it mounts the image's layers with overlayfs); run it as root "
                    + "(sudo agentkernel ...), or run on the host's /usr with '--image host'");
        }
        if (spec.root() instanceof dev.agentkernel.model.RootFs.Image image) {
            ImageMountTargets.requireNoLinks(image, spec.network() == NetworkMode.OUTBOUND ? image.etcOnline()
                    : image.etcOffline(), spec.mounts());
        }
        NetworkChoice.Decision network = wiring(spec);
        boolean slirp = network.wiring() == NetworkWiring.SLIRP4NETNS;
        boolean policed = Egress.policed(spec, network);
        String id = OwnerTag.next(); // one sequence for every backend: two sandboxes never share a cgroup
        // the launcher makes the group, writes its limits and joins it (see CgroupRecipe)
        CgroupDriver.Prepared prepared = cgroups.prepare(id, spec.limits());
        SandboxCgroup cgroup = prepared.group();
        LaunchChannel channel = null;
        SlirpNetwork net = null;
        Process process = null;
        LaunchGate gate = null;
        AutoCloseable admission = null;
        try {
            List<String> argv = new ArrayList<>(128);
            argv.add(launcher.toString());
            argv.add("--reap"); // the launcher exits when the sandbox's last process has: no orphan left in its cgroup
            argv.addAll(prepared.recipe().launchArguments());
            EgressPolicy ranges = networks.egress().allowing(spec.egress().allowAddresses());
            network.bridge().ifPresent(bridge -> argv.addAll(bridge.launchArguments(ranges)));
            if (policed) {
                gate = LaunchGate.create(runtimeDir.resolve(id).resolve("gate"));
                argv.addAll(gate.launchArguments());
            }
            argv.addAll(List.of("--read", Integer.toString(BwrapCommandLine.SECCOMP_FD), seccompFilter.toString()));
            if (slirp) {
                channel = LaunchChannel.create(runtimeDir.resolve(id));
                argv.addAll(List.of("--write", Integer.toString(BwrapCommandLine.INFO_FD), channel.infoPath().toString(),
                        "--read", Integer.toString(BwrapCommandLine.BLOCK_FD), channel.blockPath().toString()));
            }
            List<String> bwrapArgv;
            if (users.isPresent()) {
                MountSources.Staged sources = new MountSources.Staged(stage, stateDir);
                bwrapArgv = commandLine.build(spec, payload, network.wiring(), sources);
                sources.owned().forEach(users.get()::own);
                argv.addAll(users.get().launchArguments());
                argv.addAll(sources.launcherArguments());
            } else {
                bwrapArgv = commandLine.build(spec, payload, network.wiring(), new MountSources.Direct());
            }
            argv.add("--");
            argv.addAll(bwrapArgv);
            ProcessBuilder builder = new ProcessBuilder(argv);
            Map<String, String> env = builder.environment();
            env.clear();
            env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            SupervisedExecution.applyRedirects(builder, stdio);
            process = launches.start(builder); // forked by a long-lived launcher (no spawn, no exec)
            if (policed) {
                admission = networks.gateway().admit(BridgeNetwork.addressOf(process.pid()), spec.hostname(),
                        spec.egress(), spec.secrets());
                gate.open();
            }
            if (slirp) {
                long child = channel.awaitChildPid(process, START_TIMEOUT);
                net = SlirpNetwork.attach(network.slirp().orElseThrow(), netGuard,
                        networks.egress().guardArguments(hostResolvers()), child, channel.dir().resolve("slirp.log"));
                channel.release();
            }
            LaunchChannel ownedChannel = channel;
            SlirpNetwork ownedNet = net;
            LaunchGate ownedGate = gate;
            AutoCloseable ownedAdmission = admission;
            return SupervisedExecution.supervise(id, process, stdio, timeout, SupervisedExecution.DEFAULT_GRACE,
                    cgroup, spec.limits().memoryMb(), () -> {
                        if (ownedNet != null) {
                            ownedNet.close();
                        }
                        if (ownedChannel != null) {
                            ownedChannel.close();
                        }
                        Egress.end(ownedAdmission, ownedGate, runtimeDir.resolve(id));
                    });
        } catch (RuntimeException e) {
            if (process != null) {
                process.destroyForcibly();
            }
            cgroup.close();
            if (net != null) {
                net.close();
            }
            if (channel != null) {
                channel.close();
            }
            Egress.end(admission, gate, runtimeDir.resolve(id));
            throw e instanceof dev.agentkernel.model.AgentKernelException ? e
                    : new SandboxFailureException("cannot start the sandbox: " + e.getMessage(), e);
        }
    }

    /** The resolvers slirp4netns forwards the sandbox's DNS to: those of the host's {@code /etc/resolv.conf}. */
    private static List<InetAddress> hostResolvers() {
        try {
            return EgressPolicy.nameservers(Files.readString(RESOLV_CONF));
        } catch (IOException e) {
            return List.of(); // slirp4netns has no resolver then either
        }
    }

    /** Removes cgroups and runtime directories left by AgentKernel processes that died. */
    private void reapStale() {
        cgroups.reapStale();
        if (!Files.isDirectory(runtimeDir)) {
            return;
        }
        try (var entries = Files.list(runtimeDir)) {
            for (Path entry : entries.toList()) {
                if (OwnerTag.isOrphaned(entry.getFileName().toString())) {
                    LaunchChannel.deleteTree(entry);
                }
            }
        } catch (IOException ignored) {
            // nothing to reap
        }
    }
}
