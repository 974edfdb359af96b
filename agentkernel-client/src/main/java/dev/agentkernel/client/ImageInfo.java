package dev.agentkernel.client;

import java.time.Instant;
import java.util.Optional;

/**
 * An image in the daemon's store ({@link Images#list()}, {@link Images#pull(String)}).
 *
 * @param reference the reference it is stored under, normalised ({@code docker.io/library/python:3.12})
 * @param digest    the digest of its manifest for the daemon's platform ({@code sha256:...})
 * @param platform  its platform ({@code linux/amd64})
 * @param size      the sum of its layers' sizes as stored (compressed), in bytes
 * @param layers    how many layers it has
 * @param storedAt  when it was stored under this reference, if the daemon said
 */
public record ImageInfo(String reference, String digest, String platform, long size, int layers,
                        Optional<Instant> storedAt) {
}
