package dev.agentkernel.backend.bwrap;

import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the bubblewrap argument list for one sandbox. Pure: the same inputs give the
 * same arguments, so the isolation it asks for can be checked in unit tests.
 *
 * <p>File descriptors 3 (seccomp filter), 4 (info) and 5 (block) are opened by the launcher
 * ({@code ak-launch}); fds 4 and 5 only with {@link NetworkWiring#SLIRP4NETNS}, so that
 * slirp4netns can attach to the sandbox's network namespace before the command starts. With
 * {@link NetworkWiring#BRIDGE} the launcher has already moved itself into the sandbox's own
 * network namespace, which bubblewrap keeps (no {@code --unshare-net}): these arguments are
 * only safe behind that launcher.
 *
 * <p>Identities: the sandbox's first process is always the in-sandbox agent binary, mounted
 * read-only at {@value #AGENT_DIR}: either serving its protocol ({@link Payload.Agent}) or, for a
 * one-shot command ({@link Payload.Command}), as an exec shim ({@code --exec}). Either way it
 * starts as root of the sandbox with {@link #ROOT_CAPABILITIES} only (as root, also CAP_SYS_ADMIN, to
 * mask {@code /proc} itself; it drops it before anything else runs), and runs every command as the
 * sandbox's user {@value #SANDBOX_USER} (no capability at all) unless the command asks for root
 * (then root of the sandbox's user namespace with those capabilities, nothing more).
 */
final class BwrapCommandLine {

    static final int SECCOMP_FD = 3;
    static final int INFO_FD = 4;
    static final int BLOCK_FD = 5;
    /** Where the agent's directory is mounted, read-only, in every sandbox. */
    static final String AGENT_DIR = "/.ak";
    /** Uid and gid of the sandbox's user, who runs every command that does not ask for root. */
    static final int SANDBOX_USER = 1000;
    /**
     * The most a process in a sandbox can hold, in the sandbox's user namespace only: rootless
     * Podman's default set. Only the agent and commands that ask for root get them.
     */
    static final List<String> ROOT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_SETFCAP");

    private final Path bwrap;
    private final EtcSkeleton etc;
    private final RootLayout root;
    private final Path agent;

    /** @param agent the agent binary on the host (its directory is mounted at {@value #AGENT_DIR}) */
    BwrapCommandLine(Path bwrap, EtcSkeleton etc, RootLayout root, Path agent) {
        this.bwrap = bwrap;
        this.etc = etc;
        this.root = root;
        this.agent = agent;
    }

    /** What a sandbox's first process does. */
    sealed interface Payload {
        /**
         * The agent binary's arguments (after its path) for this payload: serve as the agent of the
         * sandbox's user, or run the command through the exec shim as that user (or root).
         */
        default List<String> agentArguments() {
            String user = SANDBOX_USER + ":" + SANDBOX_USER;
            return switch (this) {
                case Agent a -> List.of("--user", user);
                case Command c -> {
                    List<String> args = new ArrayList<>(List.of("--exec", "--user", user));
                    if (c.command().root()) {
                        args.add("--root");
                    }
                    args.add("--");
                    args.addAll(c.command().argv());
                    yield args;
                }
            };
        }

        /** The agent serves its protocol on stdin/stdout (a long-lived sandbox). */
        record Agent() implements Payload {
        }

        /** One command, through the agent binary's exec shim (a one-shot sandbox). */
        record Command(CommandSpec command) implements Payload {
        }
    }

    /**
     * The full argv: bwrap, its options, {@code --}, then the command's own argv.
     *
     * @param wiring {@link NetworkWiring#OFFLINE} exactly when the spec has no network
     */
    List<String> build(SandboxSpec spec, CommandSpec command, NetworkWiring wiring) {
        return build(spec, new Payload.Command(command), wiring, new MountSources.Direct());
    }

    /**
     * The full argv with every bound host path taken from {@code sources}.
     *
     * @param wiring {@link NetworkWiring#OFFLINE} exactly when the spec has no network
     */
    /** {@code /a/b/c} -> {@code /a, /a/b}. */
    static List<String> parentsOf(String sandboxPath) {
        List<String> parents = new ArrayList<>();
        for (int slash = sandboxPath.indexOf('/', 1); slash > 0; slash = sandboxPath.indexOf('/', slash + 1)) {
            parents.add(sandboxPath.substring(0, slash));
        }
        return parents;
    }

    List<String> build(SandboxSpec spec, Payload payload, NetworkWiring wiring, MountSources sources) {
        boolean network = spec.network() == NetworkMode.OUTBOUND;
        if (network == (wiring == NetworkWiring.OFFLINE)) {
            throw new IllegalArgumentException("network " + spec.network() + " cannot be wired as " + wiring);
        }
        List<String> args = new ArrayList<>(96);
        args.add(bwrap.toString());
        args.addAll(List.of("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup"));
        if (wiring != NetworkWiring.BRIDGE) {
            args.add("--unshare-net");
        }
        if (sources instanceof MountSources.Direct) {
            // bubblewrap's own user namespace (an unprivileged AgentKernel): one user, the daemon's own uid
            args.addAll(List.of("--unshare-user", "--uid", Integer.toString(SANDBOX_USER), "--gid",
                    Integer.toString(SANDBOX_USER)));
        }
        // As root, the agent masks /proc itself (one mount each; bubblewrap would read and parse the whole
        // mount table for every one) with CAP_SYS_ADMIN, which it drops before anything else runs, and
        // installs the seccomp filter after that. bubblewrap's own user namespace does it as before.
        boolean agentMasks = sources instanceof MountSources.Staged && !ProcMasks.agentArguments().isEmpty();
        args.addAll(List.of("--die-with-parent", "--new-session", "--cap-drop", "ALL"));
        for (String capability : ROOT_CAPABILITIES) {
            args.addAll(List.of("--cap-add", capability));
        }
        if (agentMasks) {
            args.addAll(List.of("--cap-add", "CAP_SYS_ADMIN"));
        }
        args.add("--hostname");
        args.add(spec.hostname());
        switch (spec.root()) {
            case RootFs.Host host -> root.addArguments(args, sources);
            case RootFs.Image image -> args.addAll(sources.imageRoot(image,
                    network ? image.etcOnline() : image.etcOffline(), spec.limits().memoryMb()));
        }
        args.addAll(List.of("--proc", "/proc"));
        if (!agentMasks) {
            ProcMasks.addArguments(args);
        }
        args.addAll(List.of("--dev", "/dev"));
        args.addAll(List.of("--perms", "1777", "--size", Long.toString(spec.limits().tmpMb() * 1024 * 1024),
                "--tmpfs", "/tmp"));
        args.addAll(List.of("--perms", "1777", "--dir", "/var/tmp", "--dir", "/run"));
        if (spec.root() instanceof RootFs.Host) {
            args.add("--ro-bind");
            args.add(sources.ownTree(etc.tree(network)));
            args.add("/etc");
        }
        // the user's own unless a mount replaces it (bubblewrap cannot chown: writable by all, sticky)
        args.addAll(List.of("--perms", "1777", "--dir", "/workspace"));
        Set<String> parents = new HashSet<>(List.of("/", "/workspace", "/tmp", "/var", "/var/tmp", "/run", "/etc"));
        for (Mount mount : spec.mounts()) {
            // parents of a mount point made here, 0755: bubblewrap would make them 0700 (sandbox root's only)
            for (String parent : parentsOf(mount.sandboxPath())) {
                if (parents.add(parent)) {
                    args.addAll(List.of("--dir", parent));
                }
            }
            args.add(mount.readOnly() ? "--ro-bind" : "--bind");
            args.add(sources.mount(mount.hostPath(), !mount.readOnly()));
            args.add(mount.sandboxPath());
        }
        args.addAll(sources.agent(agent, AGENT_DIR + "/" + agent.getFileName()));
        Optional<CommandSpec> command = payload instanceof Payload.Command c ? Optional.of(c.command()) : Optional.empty();
        String workdir = command.flatMap(CommandSpec::workdir).orElse(spec.workdir());
        if (!workdir.equals("/workspace") && !coveredByMount(spec, workdir)) {
            args.add("--dir");
            args.add(workdir);
        }
        if (spec.readOnlyRoot()) {
            args.addAll(List.of("--remount-ro", "/"));
        }
        args.add("--chdir");
        args.add(workdir);
        args.add("--clearenv");
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        command.ifPresent(c -> env.putAll(c.env()));
        env.forEach((k, v) -> {
            args.add("--setenv");
            args.add(k);
            args.add(v);
        });
        if (!agentMasks) {
            args.add("--seccomp");
            args.add(Integer.toString(SECCOMP_FD));
        }
        if (wiring == NetworkWiring.SLIRP4NETNS) {
            args.addAll(List.of("--info-fd", Integer.toString(INFO_FD), "--block-fd", Integer.toString(BLOCK_FD)));
        }
        args.add("--");
        args.add(AGENT_DIR + "/" + agent.getFileName());
        if (agentMasks) {
            args.addAll(ProcMasks.agentArguments());
            args.addAll(List.of("--seccomp-fd", Integer.toString(SECCOMP_FD)));
        }
        args.addAll(payload.agentArguments());
        return args;
    }

    private static boolean coveredByMount(SandboxSpec spec, String path) {
        for (Mount mount : spec.mounts()) {
            String target = mount.sandboxPath();
            if (path.equals(target) || path.startsWith(target.endsWith("/") ? target : target + "/")) {
                return true;
            }
        }
        return false;
    }

    /**
     * How the host's system directories appear in the sandbox: {@code /usr} read-only and
     * the merged-usr links ({@code /bin -> usr/bin}, ...), or read-only binds where the
     * host has real directories.
     *
     * @param binds    host directories bound read-only at the same path
     * @param symlinks link path to link target
     */
    record RootLayout(List<String> binds, Map<String, String> symlinks) {
        RootLayout {
            binds = List.copyOf(binds);
            symlinks = Collections.unmodifiableMap(new LinkedHashMap<>(symlinks));
        }

        static RootLayout ofHost() {
            List<String> binds = new ArrayList<>(List.of("/usr"));
            Map<String, String> links = new LinkedHashMap<>();
            for (String dir : List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32")) {
                Path host = Path.of("/", dir);
                if (Files.isSymbolicLink(host)) {
                    try {
                        links.put("/" + dir, Files.readSymbolicLink(host).toString());
                    } catch (java.io.IOException e) {
                        // unreadable link: leave it out
                    }
                } else if (Files.isDirectory(host)) {
                    binds.add("/" + dir);
                }
            }
            return new RootLayout(binds, links);
        }

        void addArguments(List<String> args, MountSources sources) {
            for (String dir : binds) {
                args.addAll(List.of("--ro-bind", sources.system(Path.of(dir)), dir));
            }
            symlinks.forEach((link, target) -> args.addAll(List.of("--symlink", target, link)));
        }
    }

    /**
     * The parts of {@code /proc} that show or change the whole host, hidden as the strictest
     * container runtimes hide them (crun's and Docker's masked paths): files are covered by
     * {@code /dev/null}, directories by an empty read-only tmpfs. Only what this kernel has
     * (bubblewrap cannot cover what does not exist). {@code /proc/sys}, {@code /proc/irq} and
     * {@code /proc/bus} are read-only mounts (their files show the reading process's own
     * namespaces, so binding them from the host's {@code /proc} shows the sandbox its own values);
     * besides, nothing in them is writable for sandbox root, an unprivileged host uid.
     */
    static final class ProcMasks {
        static final List<String> FILES = List.of("kcore", "keys", "key-users", "kpageflags", "kpagecount",
                "kpagecgroup", "timer_list", "timer_stats", "sched_debug", "latency_stats", "vmallocinfo",
                "config.gz", "sysrq-trigger");
        static final List<String> DIRECTORIES = List.of("acpi", "scsi", "asound");
        static final List<String> READ_ONLY = List.of("sys", "irq", "bus");
        private static final List<String> ARGUMENTS = compute(false);
        private static final List<String> AGENT_ARGUMENTS = compute(true);

        private ProcMasks() {
        }

        static void addArguments(List<String> args) {
            args.addAll(ARGUMENTS);
        }

        /** The same masks as the agent's options ({@code --proc-ro}, {@code --proc-null}, {@code --proc-empty}). */
        static List<String> agentArguments() {
            return AGENT_ARGUMENTS;
        }

        /**
         * Whether any process of a sandbox could read {@code file}: it exists and is not host
         * root's alone (owner root, no read bit for the group or others). No sandbox process ever
         * has host uid or gid 0 (a root daemon's sandboxes map neither, an unprivileged daemon's
         * run as itself), and capabilities in a user namespace do not override the permissions of
         * a file whose owner it does not map: such a file needs no mask, and each mask is a bind
         * mount bubblewrap makes at every start (about 0.15 ms each here).
         */
        static boolean readableInASandbox(Path file) {
            try {
                int uid = (int) Files.getAttribute(file, "unix:uid");
                int mode = (int) Files.getAttribute(file, "unix:mode");
                return uid != 0 || (mode & 0044) != 0;
            } catch (java.nio.file.NoSuchFileException e) {
                return false;
            } catch (java.io.IOException | UnsupportedOperationException e) {
                return true;    // when in doubt, mask
            }
        }

        /** The masks of what this kernel has, as bubblewrap's options or as the agent's. */
        private static List<String> compute(boolean forAgent) {
            List<String> args = new ArrayList<>();
            for (String dir : READ_ONLY) {
                if (Files.isDirectory(Path.of("/proc", dir))) {
                    args.addAll(forAgent ? List.of("--proc-ro", dir) : List.of("--ro-bind", "/proc/" + dir, "/proc/" + dir));
                }
            }
            for (String file : FILES) {
                if (readableInASandbox(Path.of("/proc", file))) {
                    args.addAll(forAgent ? List.of("--proc-null", file) : List.of("--ro-bind", "/dev/null", "/proc/" + file));
                }
            }
            for (String dir : DIRECTORIES) {
                if (Files.isDirectory(Path.of("/proc", dir))) {
                    args.addAll(forAgent ? List.of("--proc-empty", dir)
                            : List.of("--tmpfs", "/proc/" + dir, "--remount-ro", "/proc/" + dir));
                }
            }
            return List.copyOf(args);
        }
    }
}
