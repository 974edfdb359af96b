package dev.agentkernel.client;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A persistent sandbox as the server describes it. Values a server does not report are empty,
 * 0 or false.
 *
 * @param name      the sandbox's name
 * @param status    {@code running}, {@code stopped} or {@code paused} (see {@link #running()}, {@link #paused()})
 * @param backend   the isolation backend that runs it, e.g. {@code bwrap}
 * @param image     its runtime image, if one was chosen
 * @param vcpus     its CPU limit
 * @param memoryMb  its memory limit in MiB
 * @param profile   its security profile, if the server reports one this client knows
 * @param network   whether it can reach the network
 * @param createdAt when it was created (whole seconds)
 * @param dir       the host directory mounted at {@code /workspace}, if one was given
 * @param diskMb    the size of its own disk in MiB ({@code /workspace}, {@code /tmp}, {@code /var/tmp}); empty
 *                  when its disk is not limited
 * @param diskUsedMb MiB used on that disk, when the server knows (while the sandbox runs)
 * @param uuid      its identifier, which never changes ({@link AgentKernel#getSandboxByUuid}), if the server
 *                  reports one
 * @param expiresAt when the server removes it, if it has a time to live
 * @param volumes   the named volumes it mounts, as {@code NAME:/path} or {@code NAME:/path:ro}
 */
public record SandboxInfo(String name, String status, String backend, Optional<String> image, double vcpus,
                          long memoryMb, Optional<Profile> profile, boolean network, Optional<Instant> createdAt,
                          Optional<String> dir, OptionalLong diskMb, OptionalLong diskUsedMb, Optional<String> uuid,
                          Optional<Instant> expiresAt, List<String> volumes) {

    /** Checks for nulls. */
    public SandboxInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(diskMb, "diskMb");
        Objects.requireNonNull(diskUsedMb, "diskUsedMb");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(expiresAt, "expiresAt");
        volumes = List.copyOf(volumes);
    }

    /**
     * A sandbox without volumes.
     *
     * @param name       the sandbox's name
     * @param status     {@code running} or {@code stopped}
     * @param backend    the isolation backend
     * @param image      its runtime image
     * @param vcpus      its CPU limit
     * @param memoryMb   its memory limit in MiB
     * @param profile    its security profile
     * @param network    whether it can reach the network
     * @param createdAt  when it was created
     * @param dir        the host directory mounted at {@code /workspace}
     * @param diskMb     the size of its own disk in MiB
     * @param diskUsedMb MiB used on that disk
     * @param uuid       its identifier
     * @param expiresAt  when the server removes it
     */
    public SandboxInfo(String name, String status, String backend, Optional<String> image, double vcpus,
                       long memoryMb, Optional<Profile> profile, boolean network, Optional<Instant> createdAt,
                       Optional<String> dir, OptionalLong diskMb, OptionalLong diskUsedMb, Optional<String> uuid,
                       Optional<Instant> expiresAt) {
        this(name, status, backend, image, vcpus, memoryMb, profile, network, createdAt, dir, diskMb, diskUsedMb, uuid,
                expiresAt, List.of());
    }

    /**
     * A sandbox without a uuid or an expiry.
     *
     * @param name       the sandbox's name
     * @param status     {@code running} or {@code stopped}
     * @param backend    the isolation backend
     * @param image      its runtime image
     * @param vcpus      its CPU limit
     * @param memoryMb   its memory limit in MiB
     * @param profile    its security profile
     * @param network    whether it can reach the network
     * @param createdAt  when it was created
     * @param dir        the host directory mounted at {@code /workspace}
     * @param diskMb     the size of its own disk in MiB
     * @param diskUsedMb MiB used on that disk
     */
    public SandboxInfo(String name, String status, String backend, Optional<String> image, double vcpus,
                       long memoryMb, Optional<Profile> profile, boolean network, Optional<Instant> createdAt,
                       Optional<String> dir, OptionalLong diskMb, OptionalLong diskUsedMb) {
        this(name, status, backend, image, vcpus, memoryMb, profile, network, createdAt, dir, diskMb, diskUsedMb,
                Optional.empty(), Optional.empty());
    }

    /**
     * A sandbox whose disk the server does not describe.
     *
     * @param name      the sandbox's name
     * @param status    {@code running} or {@code stopped}
     * @param backend   the isolation backend
     * @param image     its runtime image
     * @param vcpus     its CPU limit
     * @param memoryMb  its memory limit in MiB
     * @param profile   its security profile
     * @param network   whether it can reach the network
     * @param createdAt when it was created
     * @param dir       the host directory mounted at {@code /workspace}
     */
    public SandboxInfo(String name, String status, String backend, Optional<String> image, double vcpus,
                       long memoryMb, Optional<Profile> profile, boolean network, Optional<Instant> createdAt,
                       Optional<String> dir) {
        this(name, status, backend, image, vcpus, memoryMb, profile, network, createdAt, dir, OptionalLong.empty(),
                OptionalLong.empty());
    }

    /**
     * Whether the sandbox is running (commands and file operations work).
     *
     * @return whether {@link #status()} is {@code running}
     */
    public boolean running() {
        return "running".equals(status);
    }

    /**
     * Whether the sandbox is paused: its processes frozen, memory kept ({@link Sandboxes#resume}).
     *
     * @return whether {@link #status()} is {@code paused}
     */
    public boolean paused() {
        return "paused".equals(status);
    }
}
