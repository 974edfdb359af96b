package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A snapshot of a sandbox, as {@code GET /snapshots/NAME} shows it (the published clients'
 * {@code SnapshotMeta}).
 *
 * @param name       its name
 * @param sandbox    the sandbox it was taken from
 * @param imageTag   the image it is stored as, pinned to its digest (sandboxes can name it as their {@code image})
 * @param backend    the isolation backend of that sandbox
 * @param baseImage  the image that sandbox ran on
 * @param vcpus      that sandbox's whole CPUs
 * @param memoryMb   that sandbox's memory limit in MiB
 * @param sizeBytes  the size of the snapshot's own layer (what it adds to its base image)
 * @param createdAt  when it was taken (ISO-8601, seconds)
 */
public record SnapshotView(String name, String sandbox, String imageTag, String backend,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String baseImage, long vcpus, long memoryMb,
                           long sizeBytes, String createdAt) {
}
