package dev.agentkernel.core.pool;

import dev.agentkernel.model.Profile;
import java.util.Objects;
import java.util.Optional;

/**
 * What a pooled sandbox was built for: a request is served from the pool only by a sandbox
 * with exactly its key, never by one with other options.
 *
 * @param image   image asked for or detected, if any
 * @param profile security profile
 */
public record PoolKey(Optional<String> image, Profile profile) {
    /** Validates. */
    public PoolKey {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(profile, "profile");
    }

    /** Short text for logs and status, e.g. {@code python:3.12-alpine/moderate}. */
    @Override
    public String toString() {
        return image.orElse("default") + "/" + profile.id();
    }
}
