package dev.agentkernel.core.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Facts about the host and where AgentKernel keeps its files. One instance per process;
 * passed explicitly, never a static singleton.
 *
 * @param stateDir   durable state (databases, cached filters, kept sandboxes)
 * @param runtimeDir per-boot state (FIFOs, pid files); entries are named by their owner ({@link OwnerTag})
 * @param root       whether this process runs as root
 * @param cpus       CPUs available to this process
 * @param env        the environment of this process (read for profile pass-through and paths)
 */
public record HostContext(Path stateDir, Path runtimeDir, boolean root, int cpus, Map<String, String> env) {

    /** Validates and copies. */
    public HostContext {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(runtimeDir, "runtimeDir");
        env = Map.copyOf(env);
    }

    /**
     * The context of this process: {@code AGENTKERNEL_STATE_DIR} or {@code /var/lib/agentkernel}
     * (root) or {@code $XDG_DATA_HOME/agentkernel}; {@code AGENTKERNEL_RUNTIME_DIR} or
     * {@code /run/agentkernel} (root) or {@code $XDG_RUNTIME_DIR/agentkernel} or
     * {@code /tmp/agentkernel-<user>}.
     */
    public static HostContext current() {
        Map<String, String> env = System.getenv();
        boolean root = isRoot();
        String home = System.getProperty("user.home");
        Path state = pick(env.get("AGENTKERNEL_STATE_DIR"),
                root ? "/var/lib/agentkernel"
                        : Objects.requireNonNullElse(env.get("XDG_DATA_HOME"), home + "/.local/share") + "/agentkernel");
        String xdgRuntime = env.get("XDG_RUNTIME_DIR");
        Path runtime = pick(env.get("AGENTKERNEL_RUNTIME_DIR"),
                root ? "/run/agentkernel"
                        : xdgRuntime != null ? xdgRuntime + "/agentkernel"
                        : "/tmp/agentkernel-" + System.getProperty("user.name"));
        return new HostContext(state, runtime, root, Runtime.getRuntime().availableProcessors(), env);
    }

    /** A copy with other directories (tests). */
    public HostContext withDirs(Path state, Path runtime) {
        return new HostContext(state, runtime, root, cpus, env);
    }

    private static Path pick(String override, String fallback) {
        return Path.of(override != null && !override.isBlank() ? override : fallback);
    }

    /** Effective uid 0, read from {@code /proc/self/status} (cheaper than attribute views at start-up). */
    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return ids.length > 1 && ids[1].equals("0");
                }
            }
        } catch (Exception e) {
            // not Linux: fall through
        }
        return "root".equals(System.getProperty("user.name"));
    }
}
