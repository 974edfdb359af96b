package dev.agentkernel.model;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A host directory or file made visible inside a sandbox.
 *
 * @param hostPath    absolute path on the host
 * @param sandboxPath absolute path inside the sandbox
 * @param readOnly    whether the sandbox may only read it
 */
public record Mount(Path hostPath, String sandboxPath, boolean readOnly) {
    /** Validates that both paths are absolute and the sandbox path has no {@code ..}. */
    public Mount {
        Objects.requireNonNull(hostPath, "hostPath");
        Objects.requireNonNull(sandboxPath, "sandboxPath");
        if (!hostPath.isAbsolute()) {
            throw new InvalidRequestException("mount source '" + hostPath + "' must be an absolute host path");
        }
        SandboxPaths.requireAbsolute(sandboxPath, "mount target");
    }
}
