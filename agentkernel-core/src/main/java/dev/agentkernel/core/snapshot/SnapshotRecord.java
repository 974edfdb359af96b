package dev.agentkernel.core.snapshot;

import dev.agentkernel.core.sandbox.SandboxNames;
import dev.agentkernel.model.NetworkPolicy;
import dev.agentkernel.model.Profile;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What is stored about one snapshot: the image it is (the sandbox's image plus one layer) and the
 * settings of the sandbox it was taken from, which sandboxes made from it get unless asked
 * otherwise.
 *
 * @param name        unique name ({@link SandboxNames}' rule)
 * @param sandbox     the sandbox it was taken from
 * @param sandboxUuid that sandbox's uuid (a later sandbox of the same name is another one)
 * @param image       the image it is, pinned to its digest ({@code agentkernel.local/snapshots:NAME@sha256:...})
 * @param baseImage   the image the sandbox ran on when it was taken
 * @param backend     the sandbox's isolation backend
 * @param profile     the sandbox's security profile
 * @param vcpus       the sandbox's CPU limit
 * @param memoryMb    the sandbox's memory limit in MiB
 * @param network     whether the sandbox had network
 * @param diskMb      the size of the sandbox's disk, if limited
 * @param sizeBytes   the size of the snapshot's own layer (what it adds to its base image)
 * @param createdAt   when it was taken
 * @param egress      the sandbox's network policy ({@link NetworkPolicy#NONE}: none of its own), which sandboxes
 *                    made from the snapshot (a fork's among them) keep, so that a copy never reaches more than
 *                    its original
 */
public record SnapshotRecord(String name, String sandbox, String sandboxUuid, String image, String baseImage,
                             String backend, Profile profile, double vcpus, long memoryMb, boolean network,
                             OptionalLong diskMb, long sizeBytes, Instant createdAt, NetworkPolicy egress) {

    /** Validates. */
    public SnapshotRecord {
        SnapshotNames.requireValid(name);
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(sandboxUuid, "sandboxUuid");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(baseImage, "baseImage");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(diskMb, "diskMb");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(egress, "egress");
    }

    /** The digest of the snapshot's image ({@code sha256:...}). */
    public String digest() {
        return image.substring(image.indexOf('@') + 1);
    }
}
