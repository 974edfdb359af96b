package dev.agentkernel.backend.bwrap;

import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 */
final class BwrapCommandLine {

    static final int SECCOMP_FD = 3;
    static final int INFO_FD = 4;
    static final int BLOCK_FD = 5;

    private final Path bwrap;
    private final EtcSkeleton etc;
    private final RootLayout root;

    BwrapCommandLine(Path bwrap, EtcSkeleton etc, RootLayout root) {
        this.bwrap = bwrap;
        this.etc = etc;
        this.root = root;
    }

    /**
     * The full argv: bwrap, its options, {@code --}, then the command's own argv.
     *
     * @param wiring {@link NetworkWiring#OFFLINE} exactly when the spec has no network
     */
    List<String> build(SandboxSpec spec, CommandSpec command, NetworkWiring wiring) {
        return build(spec, command, wiring, new MountSources.Direct());
    }

    /**
     * The full argv with every bound host path taken from {@code sources}.
     *
     * @param wiring {@link NetworkWiring#OFFLINE} exactly when the spec has no network
     */
    List<String> build(SandboxSpec spec, CommandSpec command, NetworkWiring wiring, MountSources sources) {
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
        args.addAll(List.of("--die-with-parent", "--new-session", "--cap-drop", "ALL"));
        if (sources instanceof MountSources.Staged && isAgent(command)) {
            // The agent alone starts with CAP_SETPCAP (in the sandbox's user namespace): it empties the
            // bounding set of everything it will run, then drops every capability itself.
            args.addAll(List.of("--cap-add", "CAP_SETPCAP"));
        }
        args.add("--hostname");
        args.add(spec.hostname());
        root.addArguments(args, sources);
        args.addAll(List.of("--proc", "/proc"));
        ProcMasks.addArguments(args);
        args.addAll(List.of("--dev", "/dev"));
        args.addAll(List.of("--size", Long.toString(spec.limits().tmpMb() * 1024 * 1024), "--tmpfs", "/tmp"));
        args.addAll(List.of("--dir", "/var/tmp", "--dir", "/run"));
        args.add("--ro-bind");
        args.add(sources.source(etc.tree(network), false));
        args.add("/etc");
        args.addAll(List.of("--dir", "/workspace"));
        for (Mount mount : spec.mounts()) {
            args.add(mount.readOnly() ? "--ro-bind" : "--bind");
            args.add(sources.source(mount.hostPath(), !mount.readOnly()));
            args.add(mount.sandboxPath());
        }
        String workdir = command.workdir().orElse(spec.workdir());
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
        env.putAll(command.env());
        env.forEach((k, v) -> {
            args.add("--setenv");
            args.add(k);
            args.add(v);
        });
        args.add("--seccomp");
        args.add(Integer.toString(SECCOMP_FD));
        if (wiring == NetworkWiring.SLIRP4NETNS) {
            args.addAll(List.of("--info-fd", Integer.toString(INFO_FD), "--block-fd", Integer.toString(BLOCK_FD)));
        }
        args.add("--");
        args.addAll(command.argv());
        return args;
    }

    private static boolean isAgent(CommandSpec command) {
        return command.argv().getFirst().startsWith(AgentSandbox.AGENT_DIR + "/");
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
                args.addAll(List.of("--ro-bind", sources.source(Path.of(dir), false), dir));
            }
            symlinks.forEach((link, target) -> args.addAll(List.of("--symlink", target, link)));
        }
    }

    /**
     * The parts of {@code /proc} that show or change the whole host, hidden as the strictest
     * container runtimes hide them (crun's and Docker's masked paths): files are covered by
     * {@code /dev/null}, directories by an empty read-only tmpfs. Only what this kernel has
     * (bubblewrap cannot cover what does not exist). {@code /proc/sys}, {@code /proc/irq},
     * {@code /proc/bus} and {@code /proc/sysrq-trigger} stay visible; bubblewrap covers
     * {@code irq} and {@code bus} read-only itself, and nothing in {@code /proc/sys} is writable
     * for sandbox root, an unprivileged host uid without capabilities.
     */
    static final class ProcMasks {
        static final List<String> FILES = List.of("kcore", "keys", "key-users", "kpageflags", "kpagecount",
                "kpagecgroup", "timer_list", "timer_stats", "sched_debug", "latency_stats", "vmallocinfo",
                "config.gz", "sysrq-trigger");
        static final List<String> DIRECTORIES = List.of("acpi", "scsi", "asound");
        private static final List<String> ARGUMENTS = compute();

        private ProcMasks() {
        }

        static void addArguments(List<String> args) {
            args.addAll(ARGUMENTS);
        }

        private static List<String> compute() {
            List<String> args = new ArrayList<>();
            for (String file : FILES) {
                if (Files.exists(Path.of("/proc", file))) {
                    args.addAll(List.of("--ro-bind", "/dev/null", "/proc/" + file));
                }
            }
            for (String dir : DIRECTORIES) {
                if (Files.isDirectory(Path.of("/proc", dir))) {
                    args.addAll(List.of("--tmpfs", "/proc/" + dir, "--remount-ro", "/proc/" + dir));
                }
            }
            return List.copyOf(args);
        }
    }
}
