package dev.agentkernel.core.pool;

import dev.agentkernel.model.Profile;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxSpec;
import java.util.Objects;
import java.util.Optional;

/**
 * What a pooled sandbox was built for: a request is served from the pool only by a sandbox
 * with exactly its key, never by one with other options.
 *
 * @param image   the image name a pooled sandbox is resolved from ({@code python:3.12-alpine}, {@code host})
 * @param root    what that name resolved to: the image's manifest digest, or {@value RootFs#HOST}; a tag
 *                that moves to another digest makes another key
 * @param profile security profile
 * @param backend the backend asked for by name; empty: the default
 */
public record PoolKey(Optional<String> image, String root, Profile profile, Optional<String> backend) {
    /** Validates. */
    public PoolKey {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(backend, "backend");
    }

    /** A key on the default backend. */
    public PoolKey(Optional<String> image, String root, Profile profile) {
        this(image, root, profile, Optional.empty());
    }

    /** A key by name only (no resolved root). */
    public PoolKey(Optional<String> image, Profile profile) {
        this(image, "", profile);
    }

    /** The key of sandboxes like {@code spec}: its image name, root and profile. */
    public static PoolKey of(SandboxSpec spec) {
        String root = switch (spec.root()) {
            case RootFs.Host host -> RootFs.HOST;
            case RootFs.Image image -> image.digest();
        };
        return new PoolKey(spec.image(), root, spec.profile(), spec.backend());
    }

    /** Short text for logs and status, e.g. {@code python:3.12-alpine/moderate}. */
    @Override
    public String toString() {
        return image.orElse("default") + "/" + profile.id() + backend.map(b -> "@" + b).orElse("");
    }
}
