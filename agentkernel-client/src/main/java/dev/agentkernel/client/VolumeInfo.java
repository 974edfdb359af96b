package dev.agentkernel.client;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A named volume ({@code GET /volumes/NAME}): files that outlive sandboxes, mounted into the
 * sandboxes created with it ({@link AgentKernel#createSandbox(String, SandboxOptions, List)}).
 *
 * @param name        its name
 * @param sizeMb      its size in MiB
 * @param limited     whether the size is enforced (an ext4 image of its own on the server)
 * @param usedMb      MiB its files take, when the server knows
 * @param availableMb MiB still free in it, when the server knows
 * @param inUse       how many running sandboxes have it mounted now
 * @param mounts      the sandboxes that mount it, running or not
 * @param createdAt   when it was created (whole seconds)
 */
public record VolumeInfo(String name, long sizeMb, boolean limited, OptionalLong usedMb, OptionalLong availableMb,
                         int inUse, List<Mount> mounts, Optional<Instant> createdAt) {

    /** Checks for nulls and copies. */
    public VolumeInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(usedMb, "usedMb");
        Objects.requireNonNull(availableMb, "availableMb");
        mounts = List.copyOf(mounts);
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /**
     * A sandbox that mounts the volume.
     *
     * @param sandbox  the sandbox's name
     * @param path     where it sees the volume
     * @param readOnly whether it may only read it
     */
    public record Mount(String sandbox, String path, boolean readOnly) {
        /** Checks for nulls. */
        public Mount {
            Objects.requireNonNull(sandbox, "sandbox");
            Objects.requireNonNull(path, "path");
        }
    }
}
