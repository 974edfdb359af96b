package dev.agentkernel.client;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A persistent sandbox as the server describes it. Values a server does not report are empty,
 * 0 or false.
 *
 * @param name      the sandbox's name
 * @param status    {@code running} or {@code stopped} (see {@link #running()})
 * @param backend   the isolation backend that runs it, e.g. {@code bwrap}
 * @param image     its runtime image, if one was chosen
 * @param vcpus     its CPU limit
 * @param memoryMb  its memory limit in MiB
 * @param profile   its security profile, if the server reports one this client knows
 * @param network   whether it can reach the network
 * @param createdAt when it was created (whole seconds)
 * @param dir       the host directory mounted at {@code /workspace}, if one was given
 */
public record SandboxInfo(String name, String status, String backend, Optional<String> image, double vcpus,
                          long memoryMb, Optional<Profile> profile, boolean network, Optional<Instant> createdAt,
                          Optional<String> dir) {

    /** Checks for nulls. */
    public SandboxInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(dir, "dir");
    }

    /**
     * Whether the sandbox is running (commands and file operations work).
     *
     * @return whether {@link #status()} is {@code running}
     */
    public boolean running() {
        return "running".equals(status);
    }
}
