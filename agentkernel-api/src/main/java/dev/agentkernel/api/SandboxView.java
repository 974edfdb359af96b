package dev.agentkernel.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A persistent sandbox, as {@code GET /sandboxes/NAME} shows it.
 *
 * @param name            its name
 * @param status          {@code running}, {@code stopped} or {@code paused} (running, every process frozen)
 * @param backend         the isolation backend
 * @param image           the runtime image, if one was asked for
 * @param vcpus           whole CPUs
 * @param memoryMb        the memory limit in MiB
 * @param diskMb          the size of its disk in MiB; null: not limited
 * @param diskUsedMb      MiB used on its disk (while it runs)
 * @param diskAvailableMb MiB still free on its disk (while it runs)
 * @param profile         the security profile
 * @param network         whether it has network access
 * @param dir             the host directory at /workspace, if one was given
 * @param createdAt       when it was created (ISO-8601, seconds)
 * @param uuid            its identifier, which never changes and is never reused ({@code GET /sandboxes/by-uuid/UUID})
 * @param expiresAt       when it will be removed (ISO-8601, seconds), if it was given a time to live
 * @param volumes         the named volumes it mounts, as {@code "NAME:/path"} or {@code "NAME:/path:ro"}
 *                        (left out when none)
 */
public record SandboxView(String name, String status, String backend,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String image,
                          long vcpus, long memoryMb, @Nullable Long diskMb,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Long diskUsedMb,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Long diskAvailableMb,
                          String profile, boolean network,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String dir,
                          String createdAt, String uuid,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String expiresAt,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> volumes) {

    /** Validates. */
    public SandboxView {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
    }

    /** A sandbox without volumes. */
    public SandboxView(String name, String status, String backend, String image, long vcpus, long memoryMb, Long diskMb,
                       Long diskUsedMb, Long diskAvailableMb, String profile, boolean network, String dir,
                       String createdAt, String uuid, String expiresAt) {
        this(name, status, backend, image, vcpus, memoryMb, diskMb, diskUsedMb, diskAvailableMb, profile, network, dir,
                createdAt, uuid, expiresAt, List.of());
    }
}
