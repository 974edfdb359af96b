package dev.agentkernel.api;

/**
 * One stored image: an entry of {@code GET /images}, the image of a finished
 * {@code POST /images/pull} ({@link ImagePullEvent.Done}) and of the MCP tools {@code image_pull}
 * and {@code image_list}.
 *
 * @param reference the reference it is stored under, normalised ({@code docker.io/library/python:3.12})
 * @param digest    the digest of its manifest for this host's platform ({@code sha256:...})
 * @param platform  its platform ({@code linux/amd64})
 * @param size      the sum of its layers' sizes as stored (compressed), in bytes
 * @param layers    how many layers it has
 * @param storedAt  when it was stored under this reference (ISO-8601)
 */
public record ImageView(String reference, String digest, String platform, long size, int layers, String storedAt) {
}
