package dev.agentkernel.client;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of a persistent sandbox ({@link Snapshots}): the sandbox's image plus one layer with
 * what the sandbox changed in its root file system and its whole {@code /workspace}. Memory and
 * processes are not part of it.
 *
 * @param name      its name
 * @param sandbox   the sandbox it was taken from
 * @param image     the image it is stored as, pinned to its digest
 *                  ({@code agentkernel.local/snapshots:NAME@sha256:...})
 * @param backend   the isolation backend of that sandbox
 * @param baseImage the image that sandbox ran on, if the server says
 * @param vcpus     that sandbox's whole CPUs
 * @param memoryMb  that sandbox's memory limit in MiB
 * @param sizeBytes the size of the snapshot's own layer (what it adds to its base image)
 * @param createdAt when it was taken (whole seconds), if the server says
 */
public record SnapshotInfo(String name, String sandbox, String image, String backend, Optional<String> baseImage,
                           long vcpus, long memoryMb, long sizeBytes, Optional<Instant> createdAt) {

    /** Checks for nulls. */
    public SnapshotInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(baseImage, "baseImage");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
