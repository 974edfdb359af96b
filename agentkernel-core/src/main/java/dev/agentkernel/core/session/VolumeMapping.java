package dev.agentkernel.core.session;

import dev.agentkernel.core.policy.HostMountPolicy;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.PermissionDeniedException;
import dev.agentkernel.model.SandboxPaths;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A host directory shared with a code session: {@code host:sandbox[:ro]} (or {@code :rw}, the
 * default). The host side must be allowed by the daemon's {@link HostMountPolicy}; the sandbox
 * side may not cover the sandbox's system directories.
 *
 * @param hostPath    absolute host directory
 * @param sandboxPath absolute path in the sandbox
 * @param readOnly    whether the session may only read it
 */
public record VolumeMapping(Path hostPath, String sandboxPath, boolean readOnly) {

    /** Sandbox paths a volume may neither be nor lie under. */
    public static final List<String> FORBIDDEN_TARGET_TREES = List.of("/proc", "/sys", "/dev", "/etc", "/usr", "/bin",
            "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/run", "/.ak", Interpreter.DRIVER_DIR);
    /** Sandbox paths a volume may not be (it may lie under them). */
    public static final List<String> FORBIDDEN_TARGETS = List.of("/", "/tmp", "/var", "/var/tmp");

    /** Validates the shape (not the policy: see {@link #toMount}) and normalizes the sandbox path. */
    public VolumeMapping {
        Objects.requireNonNull(hostPath, "hostPath");
        Objects.requireNonNull(sandboxPath, "sandboxPath");
        if (!hostPath.isAbsolute()) {
            throw new InvalidRequestException("volume host path '" + hostPath + "' must be absolute");
        }
        String target = Path.of(SandboxPaths.requireAbsolute(sandboxPath, "volume sandbox path")).normalize().toString();
        sandboxPath = target;
        for (String tree : FORBIDDEN_TARGET_TREES) {
            if (target.equals(tree) || target.startsWith(tree + "/")) {
                throw new PermissionDeniedException("a volume may not be mounted at " + target
                        + ": it would cover the sandbox's system directory " + tree);
            }
        }
        if (FORBIDDEN_TARGETS.contains(target)) {
            throw new PermissionDeniedException("a volume may not be mounted at " + target + "; mount it under it instead");
        }
    }

    /**
     * Parses {@code host:sandbox}, {@code host:sandbox:ro} or {@code host:sandbox:rw}.
     *
     * @throws InvalidRequestException if the text is not of that shape
     */
    public static VolumeMapping parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException("a volume must be 'host:sandbox[:ro]', not empty");
        }
        String[] parts = text.split(":", -1);
        boolean readOnly = false;
        if (parts.length == 3) {
            readOnly = switch (parts[2]) {
                case "ro" -> true;
                case "rw" -> false;
                default -> throw new InvalidRequestException("volume '" + text + "': the mode must be ro or rw, not '"
                        + parts[2] + "'");
            };
        } else if (parts.length != 2) {
            throw new InvalidRequestException("volume '" + text + "' must be 'host:sandbox[:ro]'");
        }
        if (parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new InvalidRequestException("volume '" + text + "' must be 'host:sandbox[:ro]' with both paths given");
        }
        return new VolumeMapping(Path.of(parts[0]), parts[1], readOnly);
    }

    /**
     * The mount for this volume, with the host path resolved to its real path.
     *
     * @throws InvalidRequestException   if the host directory does not exist
     * @throws PermissionDeniedException if the policy does not allow it
     */
    public Mount toMount(HostMountPolicy policy) {
        return new Mount(policy.requireAllowed(hostPath), sandboxPath, readOnly);
    }

    /** {@code host:sandbox[:ro]}. */
    @Override
    public String toString() {
        return hostPath + ":" + sandboxPath + (readOnly ? ":ro" : "");
    }
}
