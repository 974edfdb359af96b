package dev.agentkernel.backend.bwrap;

import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the OCI runtime spec of one sandbox: the same sandbox {@link BwrapCommandLine} asks
 * bubblewrap for, in the runtime's terms. Pure, so what it asks for can be checked in unit tests.
 *
 * <p>The launcher has staged every host source (the image's layers and writable layer at
 * {@code STAGE/root}, mounts at {@code STAGE/N}, the payload directory with the agent and the
 * compiled seccomp filter) in its private mount namespace and execs the runtime there as host root
 * ({@code --host-root}). The runtime makes the sandbox's namespaces, its user namespace with the
 * same maps as the launcher's (so the idmapped layers look the same), and runs the agent binary as
 * sandbox root with {@link BwrapCommandLine#ROOT_CAPABILITIES} and no_new_privs; the agent installs
 * the seccomp filter ({@code --seccomp}) before anything else and runs the command as the
 * sandbox's user unless it asked for root, exactly as under bubblewrap.
 */
final class OciSpecBuilder {

    /** The payload directory's place in the sandbox (the agent binary and its seccomp filter). */
    static final String PAYLOAD_DIR = BwrapCommandLine.AGENT_DIR;

    private final OciRuntime runtime;
    private final SandboxUsers users;
    private final EtcSkeleton etc;
    private final Path emptyLayer;
    private final BwrapCommandLine.RootLayout hostLayout = BwrapCommandLine.RootLayout.ofHost();
    private final String agentName;
    private final String seccompName;

    /**
     * @param users       the sandbox's id range
     * @param etc         the generated {@code /etc} trees of sandboxes on the host's {@code /usr}
     * @param emptyLayer  an empty directory: the lowest layer of a root on the host's {@code /usr}
     * @param agentName   the agent binary's file name in the payload directory
     * @param seccompName the seccomp filter's file name there
     */
    OciSpecBuilder(OciRuntime runtime, SandboxUsers users, EtcSkeleton etc, Path emptyLayer, String agentName,
                   String seccompName) {
        this.runtime = runtime;
        this.users = users;
        this.etc = etc;
        this.emptyLayer = emptyLayer;
        this.agentName = agentName;
        this.seccompName = seccompName;
    }

    /**
     * The spec of a sandbox whose root file system is {@code STAGE/root}.
     *
     * @param sources     the staged sources (collects the launcher's arguments as a side effect)
     * @param cgroupsPath the sandbox's control group, relative to the hierarchies' roots
     * @param bridge      whether the launcher made the sandbox's network namespace (then the runtime keeps it)
     */
    OciSpec build(SandboxSpec spec, BwrapCommandLine.Payload payload, MountSources.Staged sources, Path payloadDir,
                  String cgroupsPath, boolean bridge) {
        boolean network = spec.network() == NetworkMode.OUTBOUND;
        List<OciSpec.Mount> mounts = new ArrayList<>();
        // a read-only root is a read-only overlay (runsc cannot remount one whose flags are locked), or the
        // runtime's to make read-only when it writes into the root first (podman: its /etc/mtab link)
        boolean runtimeReadOnly = spec.readOnlyRoot() && runtime.writesIntoRootFirst();
        boolean stagedReadOnly = spec.readOnlyRoot() && !runtimeReadOnly;
        Path root = switch (spec.root()) {
            case RootFs.Image image -> sources.stageImageRoot(image, network ? image.etcOnline() : image.etcOffline(),
                    spec.limits().memoryMb(), stagedReadOnly);
            case RootFs.Host host -> {
                // the host's /usr as bubblewrap shows it: an empty root, the generated /etc, /usr and the other
                // system directories bound read-only (the merged-usr links as binds)
                // (a runtime that writes into /etc first gets it as a layer of the root instead: EtcLayer)
                Path staged;
                if (runtime.writesIntoRootFirst()) {
                    Path layer;
                    try {
                        layer = EtcLayer.of(emptyLayer.getParent(), etc.tree(network));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException("cannot make the /etc layer: " + e.getMessage(), e);
                    }
                    staged = sources.stageRoot(List.of(emptyLayer, layer), java.util.Optional.empty(),
                            spec.limits().memoryMb(), stagedReadOnly);
                } else {
                    staged = sources.stageRoot(List.of(emptyLayer), java.util.Optional.empty(),
                            spec.limits().memoryMb(), stagedReadOnly);
                    mounts.add(new OciSpec.Mount("/etc", "bind", sources.ownTree(etc.tree(network)),
                            List.of("rbind", "ro", "nosuid", "nodev")));
                }
                for (String dir : hostLayout.binds()) {
                    mounts.add(new OciSpec.Mount(dir, "bind", sources.system(Path.of(dir)),
                            List.of("rbind", "ro", "nosuid", "nodev")));
                }
                hostLayout.symlinks().forEach((link, target) -> mounts.add(new OciSpec.Mount(link, "bind",
                        sources.system(Path.of("/").resolve(target)), List.of("rbind", "ro", "nosuid", "nodev"))));
                yield staged;
            }
        };
        mounts.add(new OciSpec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
        mounts.add(new OciSpec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
        mounts.add(new OciSpec.Mount("/dev/pts", "devpts", "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620")));
        mounts.add(new OciSpec.Mount("/dev/shm", "tmpfs", "shm",
                List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
        mounts.add(new OciSpec.Mount("/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777",
                "size=" + spec.limits().tmpMb() + "m")));
        if (spec.mounts().stream().noneMatch(m -> m.sandboxPath().equals("/workspace"))) {
            // bubblewrap's is a directory of the root's writable layer: the sandbox's memory, so is this
            List<String> options = new ArrayList<>(List.of("nosuid", "nodev", "mode=1777",
                    "size=" + Math.max(1, spec.limits().memoryMb()) + "m"));
            if (spec.readOnlyRoot()) {
                options.add("ro");
            }
            mounts.add(new OciSpec.Mount("/workspace", "tmpfs", "tmpfs", options));
        }
        for (Mount mount : spec.mounts()) {
            List<String> options = mount.readOnly() ? List.of("rbind", "ro", "nosuid", "nodev")
                    : List.of("rbind", "nosuid", "nodev");
            mounts.add(new OciSpec.Mount(mount.sandboxPath(), "bind", sources.mount(mount.hostPath(), !mount.readOnly()),
                    options));
        }
        mounts.add(new OciSpec.Mount(PAYLOAD_DIR, "bind", sources.ownTree(payloadDir),
                List.of("rbind", "ro", "nosuid", "nodev")));

        Optional<CommandSpec> command = payload instanceof BwrapCommandLine.Payload.Command c
                ? Optional.of(c.command()) : Optional.empty();
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        command.ifPresent(c -> env.putAll(c.env()));
        List<String> args = new ArrayList<>(List.of(PAYLOAD_DIR + "/" + agentName, "--seccomp", PAYLOAD_DIR + "/" + seccompName));
        args.addAll(payload.agentArguments());
        List<String> capabilities = BwrapCommandLine.ROOT_CAPABILITIES;
        OciSpec.Process process = new OciSpec.Process(false, new OciSpec.User(0, 0), args,
                env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList(),
                command.flatMap(CommandSpec::workdir).orElse(spec.workdir()),
                new OciSpec.Capabilities(capabilities, capabilities, capabilities), true);

        List<OciSpec.Namespace> namespaces = new ArrayList<>();
        for (String type : List.of("pid", "ipc", "uts", "mount", "cgroup")) {
            namespaces.add(new OciSpec.Namespace(type));
        }
        // the bridge's namespace is the launcher's own, which the runtime joins (gVisor's network stack takes
        // its interface over); without network, a new one with loopback only
        namespaces.add(bridge ? new OciSpec.Namespace("network", "/proc/self/ns/net") : new OciSpec.Namespace("network"));
        namespaces.add(new OciSpec.Namespace("user"));
        List<OciSpec.IdMapping> ids = List.of(new OciSpec.IdMapping(0, users.base(), users.count()));
        List<String> masked = new ArrayList<>();
        BwrapCommandLine.ProcMasks.FILES.forEach(f -> masked.add("/proc/" + f));
        BwrapCommandLine.ProcMasks.DIRECTORIES.forEach(d -> masked.add("/proc/" + d));
        List<String> readOnly = BwrapCommandLine.ProcMasks.READ_ONLY.stream().map(d -> "/proc/" + d).toList();
        OciSpec.Linux linux = new OciSpec.Linux(namespaces, ids, ids, "/" + cgroupsPath,
                new OciSpec.Resources(List.of(new OciSpec.DeviceRule(false, "rwm"))), masked, readOnly);
        return new OciSpec(OciSpec.VERSION, process, new OciSpec.Root(root.toString(), runtimeReadOnly),
                spec.hostname(), mounts, linux);
    }
}
