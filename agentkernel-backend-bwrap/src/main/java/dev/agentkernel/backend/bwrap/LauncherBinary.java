package dev.agentkernel.backend.bwrap;

import dev.agentkernel.agent.ExecutableResource;
import java.nio.file.Path;

/**
 * The host-side launcher shipped in this jar ({@code dev/agentkernel/backend/bwrap/ak-launch-<os.arch>},
 * built from {@code src/main/c/ak-launch.c}): the first process of every sandbox, which joins
 * the sandbox's cgroups, opens its descriptors, wires its network (bridge mode) and execs
 * bubblewrap.
 */
final class LauncherBinary {

    private static final ExecutableResource BINARY = new ExecutableResource(LauncherBinary.class.getClassLoader(),
            "dev/agentkernel/backend/bwrap/ak-launch-", "ak-launch",
            "build it on such a machine with gcc and libc6-dev installed");

    private LauncherBinary() {
    }

    /** Extracts the launcher into {@code dir} (reused if already there) and returns its path. */
    static Path extractTo(Path dir) {
        return BINARY.extractTo(dir);
    }
}
