package dev.agentkernel.model;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What a caller asked for, before profile defaults are applied. Every field is optional:
 * an empty field takes the profile's default. Interfaces (CLI, HTTP, MCP) build one of
 * these after merging their own sources (flags over config file).
 *
 * @param profile     security profile, default moderate
 * @param image       image asked for or detected
 * @param network     false to turn the network off; true cannot turn it on for restrictive
 * @param memoryMb    memory limit in MiB
 * @param vcpus       CPU limit in cores
 * @param env         extra environment variables
 * @param workdir     working directory inside the sandbox
 * @param projectDir  host directory the permissive profile mounts at /workspace
 * @param diskMb      size of a persistent sandbox's own disk (its {@code /workspace}, {@code /tmp} and
 *                    {@code /var/tmp} together) in MiB; one-shot sandboxes keep their files in memory
 * @param pull        when the image's registry is asked (default: only when the image is not stored)
 * @param backend     the isolation backend by name ({@code bwrap}, {@code runc}, {@code gvisor}); empty: the
 *                    configured default
 * @param egress      what the sandbox's network may reach (added to the configuration's policy; deny wins)
 */
public record SandboxRequest(Optional<Profile> profile, Optional<String> image, Optional<Boolean> network,
                             OptionalLong memoryMb, OptionalDouble vcpus, Map<String, String> env,
                             Optional<String> workdir, Optional<Path> projectDir, OptionalLong diskMb,
                             ImagePull pull, Optional<String> backend, NetworkPolicy egress) {

    /** Validates and copies. */
    public SandboxRequest {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(memoryMb, "memoryMb");
        Objects.requireNonNull(vcpus, "vcpus");
        env = Map.copyOf(env);
        env.forEach(EnvVar::requireValid);
        Objects.requireNonNull(workdir, "workdir");
        workdir.ifPresent(w -> SandboxPaths.requireAbsolute(w, "working directory"));
        Objects.requireNonNull(projectDir, "projectDir");
        Objects.requireNonNull(diskMb, "diskMb");
        Objects.requireNonNull(pull, "pull");
        Objects.requireNonNull(backend, "backend");
        backend.ifPresent(SandboxRequest::requireBackendName);
        Objects.requireNonNull(egress, "egress");
    }

    /** A request without a network policy of its own. */
    public SandboxRequest(Optional<Profile> profile, Optional<String> image, Optional<Boolean> network,
                          OptionalLong memoryMb, OptionalDouble vcpus, Map<String, String> env,
                          Optional<String> workdir, Optional<Path> projectDir, OptionalLong diskMb,
                          ImagePull pull, Optional<String> backend) {
        this(profile, image, network, memoryMb, vcpus, env, workdir, projectDir, diskMb, pull, backend,
                NetworkPolicy.NONE);
    }

    /** A copy with a network policy. */
    public SandboxRequest withEgress(NetworkPolicy value) {
        return new SandboxRequest(profile, image, network, memoryMb, vcpus, env, workdir, projectDir, diskMb, pull,
                backend, value);
    }

    /**
     * A request on the default backend.
     */
    public SandboxRequest(Optional<Profile> profile, Optional<String> image, Optional<Boolean> network,
                          OptionalLong memoryMb, OptionalDouble vcpus, Map<String, String> env,
                          Optional<String> workdir, Optional<Path> projectDir, OptionalLong diskMb, ImagePull pull) {
        this(profile, image, network, memoryMb, vcpus, env, workdir, projectDir, diskMb, pull, Optional.empty());
    }

    /**
     * Checks a backend's name: lower-case letters, digits and dashes, at most 63.
     *
     * @return {@code name}
     * @throws InvalidRequestException for anything else
     */
    public static String requireBackendName(String name) {
        if (!isBackendName(name)) {
            throw new InvalidRequestException("backend must be a backend's name such as bwrap, runc or gvisor; got '"
                    + (name.length() > 40 ? name.substring(0, 40) + "..." : name) + "'");
        }
        return name;
    }

    /** Whether {@code name} could name a backend: lower-case letters, digits and dashes, at most 63. */
    public static boolean isBackendName(String name) {
        return name.matches("[a-z][a-z0-9-]{0,62}");
    }

    /** A request with the default pull policy. */
    public SandboxRequest(Optional<Profile> profile, Optional<String> image, Optional<Boolean> network,
                          OptionalLong memoryMb, OptionalDouble vcpus, Map<String, String> env,
                          Optional<String> workdir, Optional<Path> projectDir, OptionalLong diskMb) {
        this(profile, image, network, memoryMb, vcpus, env, workdir, projectDir, diskMb, ImagePull.MISSING);
    }

    /** A request without a disk size (the profile's default applies). */
    public SandboxRequest(Optional<Profile> profile, Optional<String> image, Optional<Boolean> network,
                          OptionalLong memoryMb, OptionalDouble vcpus, Map<String, String> env,
                          Optional<String> workdir, Optional<Path> projectDir) {
        this(profile, image, network, memoryMb, vcpus, env, workdir, projectDir, OptionalLong.empty());
    }

    /** A request that takes every default. */
    public static SandboxRequest defaults() {
        return new SandboxRequest(Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty(),
                OptionalDouble.empty(), Map.of(), Optional.empty(), Optional.empty());
    }

    /** A copy with a profile. */
    public SandboxRequest withProfile(Profile value) {
        return new SandboxRequest(Optional.of(value), image, network, memoryMb, vcpus, env, workdir, projectDir, diskMb, pull, backend, egress);
    }

    /** A copy with the network switched on or off. */
    public SandboxRequest withNetwork(boolean value) {
        return new SandboxRequest(profile, image, Optional.of(value), memoryMb, vcpus, env, workdir, projectDir, diskMb, pull, backend, egress);
    }

    /** A copy with a memory limit. */
    public SandboxRequest withMemoryMb(long value) {
        return new SandboxRequest(profile, image, network, OptionalLong.of(value), vcpus, env, workdir, projectDir, diskMb, pull, backend, egress);
    }

    /** A copy with a CPU limit. */
    public SandboxRequest withVcpus(double value) {
        return new SandboxRequest(profile, image, network, memoryMb, OptionalDouble.of(value), env, workdir, projectDir, diskMb, pull, backend, egress);
    }

    /** A copy with an image. */
    public SandboxRequest withImage(String value) {
        return new SandboxRequest(profile, Optional.of(value), network, memoryMb, vcpus, env, workdir, projectDir, diskMb, pull, backend, egress);
    }

    /** A copy with a disk size in MiB. */
    public SandboxRequest withDiskMb(long value) {
        return new SandboxRequest(profile, image, network, memoryMb, vcpus, env, workdir, projectDir, OptionalLong.of(value), pull, backend, egress);
    }

    /** A copy with a project directory. */
    public SandboxRequest withProjectDir(Path value) {
        return new SandboxRequest(profile, image, network, memoryMb, vcpus, env, workdir, Optional.of(value), diskMb, pull, backend, egress);
    }

    /** A copy with a pull policy. */
    public SandboxRequest withPull(ImagePull value) {
        return new SandboxRequest(profile, image, network, memoryMb, vcpus, env, workdir, projectDir, diskMb, value, backend, egress);
    }

    /** A copy on the named backend. */
    public SandboxRequest withBackend(String value) {
        return new SandboxRequest(profile, image, network, memoryMb, vcpus, env, workdir, projectDir, diskMb, pull,
                Optional.of(value), egress);
    }
}
