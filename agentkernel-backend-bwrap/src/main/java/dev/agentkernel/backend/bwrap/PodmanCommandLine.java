package dev.agentkernel.backend.bwrap;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code podman run} of one sandbox: the OCI spec {@link OciSpecBuilder} wrote for runc, in
 * podman's options. Pure, so what it asks podman for can be checked in unit tests.
 *
 * <p>podman runs the root the launcher staged ({@code --rootfs STAGE/root}) with runc, in the
 * foreground ({@code -i}, and {@code --log-driver passthrough}: the container's standard streams
 * are podman's own file descriptors, so the agent's protocol passes through untouched and nothing
 * is logged). What the spec says, podman is told: the same user namespace maps, identity, working
 * directory, environment, capabilities, no_new_privs, mounts (its own {@code /proc}, {@code /dev},
 * {@code /dev/pts} and {@code /dev/shm} stand for the spec's), hidden {@code /proc} files, host
 * name, the launcher's network namespace (the host bridge) or none, and the sandbox's cgroup as the
 * parent of podman's ({@code --cgroup-parent}: the sandbox's limits hold for everything below it).
 * podman's {@code /etc/hosts} and {@code /etc/resolv.conf} are left out ({@code --no-hosts},
 * {@code --dns none} where there is network): the sandbox's {@code /etc} is AgentKernel's. Explicit ulimits: podman's
 * defaults ask for more open files than root may have here.
 */
final class PodmanCommandLine {

    /** Mounts of the spec that podman makes itself. */
    private static final Set<String> PODMAN_MOUNTS = Set.of("/proc", "/dev", "/dev/pts", "/dev/shm");

    /** Open files and processes per user in the sandbox (podman's defaults exceed the host's hard limit). */
    static final List<String> ULIMITS = List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096");

    /**
     * podman's configuration: locks are files in its private temporary directory (the default, one
     * shared-memory segment of the host's, is the user's podman's and would keep the locks of killed
     * sandboxes), no events, no logs, cgroupfs, runc.
     */
    static final String CONTAINERS_CONF = """
            [containers]
            log_driver = "passthrough"

            [engine]
            lock_type = "file"
            num_locks = 64
            events_logger = "none"
            cgroup_manager = "cgroupfs"
            runtime = "runc"
            """;

    /** Where the sandboxes' podman run directories are: a short name, on the host's {@code /run} (a tmpfs). */
    static final Path RUN_ROOT = Path.of("/run/akp");

    private PodmanCommandLine() {
    }

    /**
     * Where podman keeps everything of one sandbox: all under its bundle directory, so that nothing of
     * the user's own podman (its storage, {@code /run/containers}, {@code /run/libpod}, runc's
     * {@code /run/runc}, the shared-memory locks, journald) is read or written, and deleting the
     * bundle forgets the container.
     *
     * <p>podman refuses a run directory whose name is longer than 50 characters (its monitor's sockets
     * are named after it), so that one is {@code /run/akp/ID} ({@link #RUN_ROOT}), outside the bundle
     * and deleted with it.
     *
     * @param bundle the sandbox's bundle directory
     * @param run    podman's run directory ({@code --runroot})
     */
    record Dirs(Path bundle, Path run) {
        /** The directories of sandbox {@code id} whose bundle is {@code bundle}. */
        static Dirs of(Path bundle, String id) {
            return new Dirs(bundle, RUN_ROOT.resolve(id));
        }

        /** podman's storage ({@code --root}). */
        Path storage() {
            return bundle.resolve("storage");
        }

        /** podman's temporary directory ({@code --tmpdir}): its exit files and file locks. */
        Path tmp() {
            return bundle.resolve("tmp");
        }

        /** runc's state directory (runc's {@code --root}, passed by podman). */
        Path runc() {
            return bundle.resolve("runc");
        }
    }

    /** Where {@link #CONTAINERS_CONF} is written (podman reads it from {@code CONTAINERS_CONF}). */
    static Path containersConf(Path bundle) {
        return bundle.resolve("containers.conf");
    }

    /** Options before {@code run}: podman's state private to the sandbox, runc on cgroupfs, no events. */
    static List<String> globalOptions(Dirs dirs) {
        return List.of("--root", dirs.storage().toString(), "--runroot", dirs.run().toString(),
                "--tmpdir", dirs.tmp().toString(), "--storage-driver", "vfs", "--events-backend", "none",
                "--runtime", "runc", "--runtime-flag", "root=" + dirs.runc(), "--cgroup-manager", "cgroupfs",
                "--log-level", "error");
    }

    /**
     * {@code podman [GLOBAL] run ... --rootfs ROOT ARGS...}: the container {@code config} describes.
     *
     * @param name the container's name (the sandbox's id)
     */
    static List<String> run(Path podman, Dirs dirs, String name, OciSpec config) {
        List<String> argv = new ArrayList<>(96);
        argv.add(podman.toString());
        argv.addAll(globalOptions(dirs));
        argv.addAll(List.of("run", "-i", "--log-driver", "passthrough", "--name", name,
                "--pull", "never", "--no-hosts", "--hostname", config.hostname()));
        OciSpec.Linux linux = config.linux();
        for (OciSpec.IdMapping m : linux.uidMappings()) {
            argv.addAll(List.of("--uidmap", m.containerID() + ":" + m.hostID() + ":" + m.size()));
        }
        for (OciSpec.IdMapping m : linux.gidMappings()) {
            argv.addAll(List.of("--gidmap", m.containerID() + ":" + m.hostID() + ":" + m.size()));
        }
        String network = network(linux);
        argv.addAll(List.of("--network", network));
        if (!network.equals("none")) {
            argv.addAll(List.of("--dns", "none")); // (with none, podman writes no resolv.conf anyway)
        }
        argv.addAll(List.of("--cgroup-parent", linux.cgroupsPath(), "--cgroupns", "private",
                "--pid", "private", "--ipc", "private", "--uts", "private"));
        argv.addAll(ULIMITS);
        OciSpec.Process process = config.process();
        argv.addAll(List.of("--user", process.user().uid() + ":" + process.user().gid(), "--workdir", process.cwd()));
        argv.addAll(List.of("--cap-drop", "all"));
        for (String capability : process.capabilities().bounding()) {
            argv.addAll(List.of("--cap-add", capability));
        }
        if (process.noNewPrivileges()) {
            argv.addAll(List.of("--security-opt", "no-new-privileges"));
        }
        if (!linux.maskedPaths().isEmpty()) {
            argv.addAll(List.of("--security-opt", "mask=" + String.join(":", linux.maskedPaths())));
        }
        for (String env : process.env()) {
            argv.addAll(List.of("--env", env));
        }
        List<OciSpec.Mount> mounts = config.mounts();
        for (int i = 0; i < mounts.size(); i++) {
            OciSpec.Mount mount = mounts.get(i);
            if (PODMAN_MOUNTS.contains(mount.destination()) || coveredLater(mounts, i)) {
                continue;
            }
            argv.addAll(mount(mount));
        }
        argv.addAll(List.of("--shm-size", "64m"));
        if (config.root().readonly()) {
            argv.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
        }
        argv.addAll(List.of("--rootfs", config.root().path()));
        argv.addAll(process.args());
        return argv;
    }

    /**
     * Whether a later mount of the spec has the same destination: a runtime mounts it over this one, podman
     * refuses two ("duplicate mount destination"), so only the later is given.
     */
    private static boolean coveredLater(List<OciSpec.Mount> mounts, int index) {
        String destination = mounts.get(index).destination();
        return mounts.subList(index + 1, mounts.size()).stream().anyMatch(m -> m.destination().equals(destination));
    }

    /** The launcher's network namespace (the host bridge) when the spec joins one, else a new one with loopback only. */
    private static String network(OciSpec.Linux linux) {
        return linux.namespaces().stream()
                .filter(n -> n.type().equals("network") && n.path() != null)
                .findFirst()
                .map(n -> "ns:" + n.path())
                .orElse("none");
    }

    /** A bind mount as {@code -v SOURCE:DEST:OPTIONS}, a tmpfs as {@code --tmpfs DEST:OPTIONS}. */
    private static List<String> mount(OciSpec.Mount mount) {
        String options = String.join(",", mount.options());
        return switch (mount.type()) {
            case "bind" -> List.of("-v", mount.source() + ":" + mount.destination() + ":" + options);
            case "tmpfs" -> List.of("--tmpfs", mount.destination() + ":" + options);
            default -> throw new IllegalArgumentException("podman cannot be given a " + mount.type() + " mount at "
                    + mount.destination());
        };
    }
}
