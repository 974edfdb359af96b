package dev.agentkernel.backend.bwrap;

import dev.agentkernel.agent.ExecutableResource;
import java.nio.file.Path;

/**
 * The guard of slirp4netns shipped in this jar ({@code dev/agentkernel/backend/bwrap/ak-netguard-<os.arch>},
 * built from {@code src/main/c/ak-netguard.c}): it runs slirp4netns under a seccomp filter whose
 * connections and datagrams it checks, so that no host address and no denied private range is
 * reached ({@link SlirpNetwork}, {@link EgressPolicy}).
 */
final class NetGuardBinary {

    private static final ExecutableResource BINARY = new ExecutableResource(NetGuardBinary.class.getClassLoader(),
            "dev/agentkernel/backend/bwrap/ak-netguard-", "ak-netguard",
            "build it on such a machine with gcc and libc6-dev installed");

    private NetGuardBinary() {
    }

    /** Extracts the guard into {@code dir} (reused if already there) and returns its path. */
    static Path extractTo(Path dir) {
        return BINARY.extractTo(dir);
    }
}
