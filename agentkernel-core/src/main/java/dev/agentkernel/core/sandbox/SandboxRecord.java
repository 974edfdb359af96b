package dev.agentkernel.core.sandbox;

import dev.agentkernel.model.Profile;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What is stored about one persistent sandbox: the options it was created with (resolved,
 * so that a changed configuration never changes an existing sandbox) and its state.
 *
 * @param name      unique name ({@link SandboxNames#requireValid})
 * @param image     image asked for or detected, if any
 * @param profile   security profile
 * @param vcpus     CPU limit
 * @param memoryMb  memory limit in MiB
 * @param network   whether it has outbound network
 * @param backend   the isolation backend that runs it
 * @param state     whether it should be running
 * @param createdAt when it was created
 * @param projectDir host directory mounted at {@code /workspace} instead of the sandbox's own, if any
 * @param diskMb    size of its own disk in MiB ({@code /workspace}, {@code /tmp}, {@code /var/tmp} together);
 *                  empty when its files are on the host's file system without a limit (a host that cannot
 *                  mount disk images, or a sandbox created before disks were limited)
 * @param uuid      its identifier, made at creation, never changed or reused (a name may be reused after a removal)
 * @param expiresAt when it is removed by time, if it has a time to live
 * @param egress    what its network may reach ({@link dev.agentkernel.model.NetworkPolicy#NONE}: the profile's rules only)
 * @param secrets   the secrets granted to it (values of its own sealed)
 */
public record SandboxRecord(String name, Optional<String> image, Profile profile, double vcpus, long memoryMb,
                            boolean network, String backend, SandboxState state, Instant createdAt,
                            Optional<java.nio.file.Path> projectDir, java.util.OptionalLong diskMb, String uuid,
                            Optional<Instant> expiresAt, dev.agentkernel.model.NetworkPolicy egress,
                            dev.agentkernel.core.secret.SandboxSecrets secrets) {

    /** Validates. */
    public SandboxRecord {
        SandboxNames.requireValid(name);
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(projectDir, "projectDir");
        Objects.requireNonNull(diskMb, "diskMb");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(egress, "egress");
        Objects.requireNonNull(secrets, "secrets");
    }

    /** A record without secrets. */
    public SandboxRecord(String name, Optional<String> image, Profile profile, double vcpus, long memoryMb,
                         boolean network, String backend, SandboxState state, Instant createdAt,
                         Optional<java.nio.file.Path> projectDir, java.util.OptionalLong diskMb, String uuid,
                         Optional<Instant> expiresAt, dev.agentkernel.model.NetworkPolicy egress) {
        this(name, image, profile, vcpus, memoryMb, network, backend, state, createdAt, projectDir, diskMb, uuid,
                expiresAt, egress, dev.agentkernel.core.secret.SandboxSecrets.NONE);
    }

    /** A record without a network policy. */
    public SandboxRecord(String name, Optional<String> image, Profile profile, double vcpus, long memoryMb,
                         boolean network, String backend, SandboxState state, Instant createdAt,
                         Optional<java.nio.file.Path> projectDir, java.util.OptionalLong diskMb, String uuid,
                         Optional<Instant> expiresAt) {
        this(name, image, profile, vcpus, memoryMb, network, backend, state, createdAt, projectDir, diskMb, uuid,
                expiresAt, dev.agentkernel.model.NetworkPolicy.NONE);
    }

    /** A record with a new {@link #uuid} and no expiry. */
    public SandboxRecord(String name, Optional<String> image, Profile profile, double vcpus, long memoryMb,
                         boolean network, String backend, SandboxState state, Instant createdAt,
                         Optional<java.nio.file.Path> projectDir, java.util.OptionalLong diskMb) {
        this(name, image, profile, vcpus, memoryMb, network, backend, state, createdAt, projectDir, diskMb,
                java.util.UUID.randomUUID().toString(), Optional.empty());
    }

    /** A record without a disk limit. */
    public SandboxRecord(String name, Optional<String> image, Profile profile, double vcpus, long memoryMb,
                         boolean network, String backend, SandboxState state, Instant createdAt,
                         Optional<java.nio.file.Path> projectDir) {
        this(name, image, profile, vcpus, memoryMb, network, backend, state, createdAt, projectDir,
                java.util.OptionalLong.empty());
    }

    /** A record without a project directory. */
    public SandboxRecord(String name, Optional<String> image, Profile profile, double vcpus, long memoryMb,
                         boolean network, String backend, SandboxState state, Instant createdAt) {
        this(name, image, profile, vcpus, memoryMb, network, backend, state, createdAt, Optional.empty());
    }

    /** The same record in another state. */
    public SandboxRecord withState(SandboxState newState) {
        return new SandboxRecord(name, image, profile, vcpus, memoryMb, network, backend, newState, createdAt, projectDir,
                diskMb, uuid, expiresAt, egress, secrets);
    }

    /** The same record with another expiry. */
    public SandboxRecord withExpiry(Optional<Instant> expiry) {
        return new SandboxRecord(name, image, profile, vcpus, memoryMb, network, backend, state, createdAt, projectDir,
                diskMb, uuid, expiry, egress, secrets);
    }
}
