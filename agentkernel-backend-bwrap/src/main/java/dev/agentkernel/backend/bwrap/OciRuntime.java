package dev.agentkernel.backend.bwrap;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An OCI runtime binary and how AgentKernel calls it: {@code run} in the foreground (the
 * container's standard streams are the runtime's, so pipes and the agent's protocol pass through
 * untouched) and, when something of the container may be left, {@code delete} afterwards. The runtimes with
 * runc's command line ({@link Cli}: runc, crun, runsc) keep their state under a directory of their own
 * ({@code --root}); podman takes the spec as options and keeps its state in the bundle.
 */
sealed interface OciRuntime {

    /** The backend's name: what a request's {@code backend} says. */
    String backend();

    /** The runtime's executable. */
    Path binary();

    /**
     * Why this runtime cannot give a sandbox network on this host, or empty when it can (through the
     * network namespace the launcher wires to the host bridge).
     */
    default java.util.Optional<String> networkUnsupported() {
        return java.util.Optional.empty();
    }

    /** Options for the launcher that execs the runtime (after {@code --host-root}). */
    default List<String> launcherOptions() {
        return List.of();
    }

    /**
     * The command that runs the container {@code config} describes (written to the bundle's {@code config.json}),
     * in the foreground, its state under {@code state}, its own messages in the bundle.
     */
    List<String> run(Path state, Path bundle, String id, boolean network, OciSpec config);

    /**
     * The command that forgets whatever is left of the container, or empty when deleting its bundle (and its
     * {@link #sandboxDirectories} entry) does.
     */
    java.util.Optional<List<String>> delete(Path state, String id);

    /**
     * A directory outside the bundles where the runtime keeps one entry per sandbox, named after it
     * (deleted with the sandbox, and reaped with its bundle when its AgentKernel died); empty for none.
     */
    default java.util.Optional<Path> sandboxDirectories() {
        return java.util.Optional.empty();
    }

    /**
     * Whether the runtime writes into the root before the container starts (podman: its {@code /etc/mtab}
     * link, its {@code /etc/hostname} and {@code /run/.containerenv} mount points). Then a read-only root is
     * staged writable and made read-only by the runtime (the spec's {@code root.readonly}), and a root on
     * the host's {@code /usr} has its {@code /etc} as a layer ({@link EtcLayer}) rather than a read-only bind.
     */
    default boolean writesIntoRootFirst() {
        return false;
    }

    /**
     * Whether the runtime puts the container in control groups of its own below the sandbox's (podman),
     * rather than leaving it in the sandbox's group the launcher joined.
     */
    default boolean nestsCgroups() {
        return false;
    }

    /** Writes what the runtime reads from the bundle besides {@code config.json}; nothing by default. */
    default void prepare(Path bundle) throws java.io.IOException {
    }

    /** Environment variables the runtime runs with (besides {@code PATH}). */
    default java.util.Map<String, String> environment(Path bundle) {
        return java.util.Map.of();
    }

    /**
     * A runtime with the OCI runtime command line ({@code runc}'s): {@code RUNTIME [OPTIONS] run --bundle BUNDLE
     * [RUN OPTIONS] ID}, which reads the bundle's {@code config.json}, and {@code RUNTIME [OPTIONS] delete --force ID}.
     */
    sealed interface Cli extends OciRuntime permits Runc, Crun, Runsc {

        /** Options before the sub-command; the runtime's own messages go to {@code log}, not to the sandbox's stderr. */
        List<String> globalOptions(Path state, boolean network, Path log);

        /** Options of {@code run} after the bundle's. */
        default List<String> runOptions() {
            return List.of();
        }

        /** {@code RUNTIME [OPTIONS] run --bundle BUNDLE ID}, its messages in {@code BUNDLE/runtime.log}. */
        @Override
        default List<String> run(Path state, Path bundle, String id, boolean network, OciSpec config) {
            List<String> argv = new ArrayList<>();
            argv.add(binary().toString());
            argv.addAll(globalOptions(state, network, bundle.resolve("runtime.log")));
            argv.addAll(List.of("run", "--bundle", bundle.toString()));
            argv.addAll(runOptions());
            argv.add(id);
            return argv;
        }

        /** {@code RUNTIME [OPTIONS] delete --force ID}. */
        @Override
        default java.util.Optional<List<String>> delete(Path state, String id) {
            List<String> argv = new ArrayList<>();
            argv.add(binary().toString());
            argv.addAll(globalOptions(state, false, Path.of("/dev/null")));
            argv.addAll(List.of("delete", "--force", id));
            return java.util.Optional.of(argv);
        }
    }

    /** runc, the reference OCI runtime (Linux namespaces, a shared kernel). */
    record Runc(Path binary) implements Cli {
        @Override
        public String backend() {
            return "runc";
        }

        @Override
        public List<String> globalOptions(Path state, boolean network, Path log) {
            return List.of("--root", state.toString(), "--log", log.toString());
        }

        /**
         * {@code --keep}: the container's cgroup (AgentKernel's, which the launcher and so runc
         * itself are in) outlives the container, so that its OOM counter can still be read; the
         * cgroup is removed with the sandbox, then {@code delete --force} forgets the container.
         */
        @Override
        public List<String> runOptions() {
            return List.of("--keep");
        }
    }

    /**
     * crun, the OCI runtime in C (faster to start than runc). AgentKernel's cgroup is the container's: crun
     * leaves cgroups alone ({@code --cgroup-manager=disabled}; the launcher, and so crun and the container,
     * joined the sandbox's cgroup before), so nothing removes the cgroup before its OOM counter is read.
     * On hosts with cgroup v1 and a v2 mount beside it (hybrid) crun refuses to run while it sees
     * {@code /sys/fs/cgroup/unified}: the launcher detaches it in its private mount namespace.
     */
    record Crun(Path binary) implements Cli {
        private static final Path UNIFIED = Path.of("/sys/fs/cgroup/unified");

        @Override
        public String backend() {
            return "crun";
        }

        @Override
        public List<String> globalOptions(Path state, boolean network, Path log) {
            return List.of("--root", state.toString(), "--log", log.toString(), "--cgroup-manager=disabled");
        }

        /** Decided once: whether this host mounts cgroup v1 controllers with the v2 hierarchy beside them. */
        private static final List<String> LAUNCHER_OPTIONS = java.nio.file.Files.isDirectory(UNIFIED)
                && java.nio.file.Files.isDirectory(Path.of("/sys/fs/cgroup/memory"))
                ? List.of("--umount", UNIFIED.toString()) : List.of();

        @Override
        public List<String> launcherOptions() {
            return LAUNCHER_OPTIONS;
        }
    }

    /**
     * podman, the container engine, running the staged root ({@code run --rootfs}) with runc under
     * it: {@link PodmanCommandLine} translates the bundle's spec into podman's options, and podman keeps
     * every bit of its state in the sandbox's bundle directory ({@link PodmanCommandLine.Dirs}), so
     * deleting that directory forgets the container: no {@code run --rm} (podman's removal
     * of the container from a storage about to be deleted costs a sandbox's start time) and no
     * {@code delete}.
     */
    record Podman(Path binary) implements OciRuntime {
        @Override
        public String backend() {
            return "podman";
        }

        @Override
        public java.util.Optional<Path> sandboxDirectories() {
            return java.util.Optional.of(PodmanCommandLine.RUN_ROOT);
        }

        /** {@code podman run ... --rootfs STAGE/root}: the spec translated into podman's options ({@link PodmanCommandLine}). */
        @Override
        public List<String> run(Path state, Path bundle, String id, boolean network, OciSpec config) {
            return PodmanCommandLine.run(binary, PodmanCommandLine.Dirs.of(bundle, id), id, config);
        }

        /** None: podman's whole state is in the bundle and its run directory, deleted with the sandbox. */
        @Override
        public java.util.Optional<List<String>> delete(Path state, String id) {
            return java.util.Optional.empty();
        }

        @Override
        public boolean nestsCgroups() {
            return true;
        }

        /** podman links {@code /etc/mtab} and makes its mount points in the root before it starts the container. */
        @Override
        public boolean writesIntoRootFirst() {
            return true;
        }

        /** podman's {@code containers.conf}: file locks in its private temporary directory, not shared memory. */
        @Override
        public void prepare(Path bundle) throws java.io.IOException {
            java.nio.file.Files.writeString(PodmanCommandLine.containersConf(bundle),
                    PodmanCommandLine.CONTAINERS_CONF);
        }

        @Override
        public java.util.Map<String, String> environment(Path bundle) {
            return java.util.Map.of("CONTAINERS_CONF",
                    PodmanCommandLine.containersConf(bundle).toString());
        }
    }

    /**
     * gVisor's {@code runsc}: the sandbox's system calls are served by gVisor's user-space kernel
     * (on this kind of host its {@code ptrace} platform; KVM is not available), not by the host's.
     * Its network stack would be its own; here it runs without network ({@link #networkUnsupported}).
     */
    record Runsc(Path binary, String platform) implements Cli {
        @Override
        public String backend() {
            return "gvisor";
        }

        /**
         * Debian 12's runsc (2022-12-19) refuses every network namespace on kernels where
         * {@code /proc/sys/net/core/rmem_default} exists outside the host's namespace (its test for
         * "the root network namespace"; per-namespace since Linux 6.x): "cannot run with network
         * enabled in root network namespace". Its {@code host} network mode cannot set up its
         * sandbox in a user namespace ("error converting mounts"). Without network it works.
         */
        @Override
        public java.util.Optional<String> networkUnsupported() {
            return java.util.Optional.of("the runsc of this host cannot attach to a sandbox's network namespace "
                    + "on kernels since 6.x (it takes every namespace for the host's); use a profile without network "
                    + "(--no-network, or the restrictive profile) or another backend");
        }

        @Override
        public List<String> globalOptions(Path state, boolean network, Path log) {
            return List.of("--root", state.toString(), "--log", log.toString(), "--platform", platform,
                    "--network", "none");
        }
    }
}
