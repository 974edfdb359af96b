package dev.agentkernel.core.sandbox;

import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.SandboxRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A request to create a persistent sandbox.
 *
 * @param name       its name ({@link SandboxNames}; not {@value #RESERVED}, a word of the routes)
 * @param options    image, profile, limits and network, as for any sandbox (env and workdir are per command)
 * @param timeToLive how long after its creation it is removed, if it should be
 * @param volumes    named volumes it mounts at every start (no path twice)
 * @param secrets    secrets granted to it, as the wire's {@code secrets} entries ({@code KEY:host},
 *                   {@code KEY:host:header}, {@code KEY=value:host})
 * @param secretFiles the secrets whose placeholder is also a file under {@code /run/agentkernel/secrets}
 * @param secretsInBody the secrets whose placeholder is also replaced in request bodies
 * @param source     a Git repository its {@code /workspace} is cloned from, once, at creation
 */
public record CreateSandbox(String name, SandboxRequest options, Optional<Duration> timeToLive,
                            java.util.List<dev.agentkernel.core.volume.VolumeMount> volumes,
                            java.util.List<String> secrets, java.util.List<String> secretFiles,
                            java.util.List<String> secretsInBody, Optional<GitSource> source) {

    /** The name no new sandbox may take: {@code GET /sandboxes/by-uuid/UUID} would not reach its routes. */
    public static final String RESERVED = "by-uuid";

    /** Validates. */
    public CreateSandbox {
        requireNewName(name);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(timeToLive, "timeToLive");
        if (timeToLive.isPresent() && (timeToLive.get().isNegative() || timeToLive.get().isZero())) {
            throw new InvalidRequestException("a sandbox's time to live must be positive");
        }
        Objects.requireNonNull(source, "source");
        volumes = java.util.List.copyOf(volumes);
        secrets = java.util.List.copyOf(secrets);
        secretFiles = java.util.List.copyOf(secretFiles);
        secretsInBody = java.util.List.copyOf(secretsInBody);
        java.util.Set<String> paths = new java.util.HashSet<>();
        for (var v : volumes) {
            if (!paths.add(v.path())) {
                throw new InvalidRequestException("two volumes are mounted at " + v.path() + "; give each its own path");
            }
        }
    }

    /** A sandbox not cloned from a Git repository. */
    public CreateSandbox(String name, SandboxRequest options, Optional<Duration> timeToLive,
                         java.util.List<dev.agentkernel.core.volume.VolumeMount> volumes,
                         java.util.List<String> secrets, java.util.List<String> secretFiles,
                         java.util.List<String> secretsInBody) {
        this(name, options, timeToLive, volumes, secrets, secretFiles, secretsInBody, Optional.empty());
    }

    /** A sandbox without secrets. */
    public CreateSandbox(String name, SandboxRequest options, Optional<Duration> timeToLive,
                         java.util.List<dev.agentkernel.core.volume.VolumeMount> volumes) {
        this(name, options, timeToLive, volumes, java.util.List.of(), java.util.List.of(), java.util.List.of());
    }

    /** A sandbox without volumes. */
    public CreateSandbox(String name, SandboxRequest options, Optional<Duration> timeToLive) {
        this(name, options, timeToLive, java.util.List.of());
    }

    /**
     * Returns {@code name} if a new sandbox may have it ({@link SandboxNames}, not {@value #RESERVED}).
     *
     * @throws InvalidRequestException saying why not
     */
    public static String requireNewName(String name) {
        SandboxNames.requireValid(name);
        if (name.equals(RESERVED)) {
            throw new InvalidRequestException("the sandbox name '" + RESERVED + "' is reserved; choose another");
        }
        return name;
    }

    /** A sandbox that lives until it is removed. */
    public CreateSandbox(String name, SandboxRequest options) {
        this(name, options, Optional.empty());
    }
}
