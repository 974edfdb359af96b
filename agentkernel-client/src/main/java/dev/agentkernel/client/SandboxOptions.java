package dev.agentkernel.client;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * How a persistent sandbox is created ({@link AgentKernel#createSandbox},
 * {@link AgentKernel#sandbox}). Immutable; start from {@link #defaults()}. Empty values leave
 * the choice to the server (its defaults: 1 vCPU, 512 MiB, {@code moderate}).
 *
 * @param image    the runtime image
 * @param vcpus    CPUs the sandbox may use, whole: e.g. 1 or 2 (the server refuses a fraction, and so does
 *                 the client before it sends the request)
 * @param memoryMb memory limit in MiB
 * @param profile  the security profile
 * @param network  false turns the network off; true cannot turn it on under {@link Profile#RESTRICTIVE};
 *                 empty follows the profile
 * @param dir      an absolute directory on the daemon's host mounted at {@code /workspace}; the daemon
 *                 allows only directories under those it was configured to allow (else 403)
 * @param diskMb   size of the sandbox's own disk in MiB ({@code /workspace}, {@code /tmp} and {@code /var/tmp}
 *                 together; writing past it fails with "No space left on device"); empty: the profile's default
 * @param pull     when the server asks the image's registry; empty means {@link PullPolicy#MISSING}
 * @param backend  the isolation backend by name ({@code bwrap}, {@code runc}, {@code gvisor}); empty means
 *                 the server's default; the sandbox keeps it
 * @param ttl      how long after its creation the server removes the sandbox with its files (whole seconds;
 *                 {@link AgentKernel#extendSandbox} gives it more); empty: until it is removed
 * @param snapshot a snapshot to make the sandbox from ({@link Snapshots}): its image and files, and the settings of
 *                 the sandbox it was taken from unless these options give others; not together with an image
 *                 (refused before the request is sent, as the server would)
 * @param networkPolicy what its network may reach (allowed and denied domains, addresses, ports, extra hosts),
 *                 enforced on the server's host and kept with the sandbox
 * @param secrets  secrets granted to it, as the published clients write them: {@code "KEY:host"} (a secret stored
 *                 with {@link Secrets#set}), {@code "KEY:host:header"}, {@code "KEY=value:host"}; the sandbox sees a
 *                 placeholder in {@code $KEY}, the server's proxy puts the value in its place in requests to the host
 * @param secretFiles secrets whose placeholder is also in {@code /run/agentkernel/secrets/KEY}
 * @param secretsInBody secrets whose placeholder the proxy also replaces in request bodies
 * @param sourceUrl a Git repository ({@code https://}, {@code http://}, {@code git://}) the server clones into the new
 *                 sandbox's empty {@code /workspace}, inside the sandbox and over its network, before it answers
 * @param sourceRef the branch, tag or commit of {@code sourceUrl} to check out; empty: its default branch
 */
public record SandboxOptions(Optional<String> image, OptionalDouble vcpus, OptionalLong memoryMb,
                             Optional<Profile> profile, Optional<Boolean> network, Optional<String> dir,
                             OptionalLong diskMb, Optional<PullPolicy> pull, Optional<String> backend,
                             Optional<java.time.Duration> ttl, Optional<String> snapshot,
                             Optional<dev.agentkernel.api.NetworkRules> networkPolicy, List<String> secrets,
                             List<String> secretFiles, List<String> secretsInBody, Optional<String> sourceUrl,
                             Optional<String> sourceRef) {

    /**
     * Options without a Git source.
     *
     * @param image    the runtime image
     * @param vcpus    whole CPUs
     * @param memoryMb the memory limit in MiB
     * @param profile  the security profile
     * @param network  whether it has network access
     * @param dir      a host directory mounted at /workspace
     * @param diskMb   the size of its disk in MiB
     * @param pull     when the server asks the image's registry
     * @param backend  the isolation backend
     * @param ttl      the time to live
     * @param snapshot the snapshot it is made from
     * @param networkPolicy what its network may reach
     * @param secrets  secrets granted to it
     * @param secretFiles secrets also in files
     * @param secretsInBody secrets also replaced in request bodies
     */
    public SandboxOptions(Optional<String> image, OptionalDouble vcpus, OptionalLong memoryMb, Optional<Profile> profile,
                          Optional<Boolean> network, Optional<String> dir, OptionalLong diskMb, Optional<PullPolicy> pull,
                          Optional<String> backend, Optional<java.time.Duration> ttl, Optional<String> snapshot,
                          Optional<dev.agentkernel.api.NetworkRules> networkPolicy, List<String> secrets,
                          List<String> secretFiles, List<String> secretsInBody) {
        this(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, ttl, snapshot, networkPolicy, secrets,
                secretFiles, secretsInBody, Optional.empty(), Optional.empty());
    }

    /**
     * Options whose secrets are replaced in headers only.
     *
     * @param image    the runtime image
     * @param vcpus    whole CPUs
     * @param memoryMb the memory limit in MiB
     * @param profile  the security profile
     * @param network  whether it has network access
     * @param dir      a host directory mounted at /workspace
     * @param diskMb   the size of its disk in MiB
     * @param pull     when the server asks the image's registry
     * @param backend  the isolation backend
     * @param ttl      the time to live
     * @param snapshot the snapshot it is made from
     * @param networkPolicy what its network may reach
     * @param secrets  the secrets granted
     * @param secretFiles the secrets also in files
     */
    public SandboxOptions(Optional<String> image, OptionalDouble vcpus, OptionalLong memoryMb, Optional<Profile> profile,
                          Optional<Boolean> network, Optional<String> dir, OptionalLong diskMb,
                          Optional<PullPolicy> pull, Optional<String> backend, Optional<java.time.Duration> ttl,
                          Optional<String> snapshot, Optional<dev.agentkernel.api.NetworkRules> networkPolicy,
                          List<String> secrets, List<String> secretFiles) {
        this(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, ttl, snapshot, networkPolicy, secrets,
                secretFiles, List.of());
    }

    /**
     * Options without secrets.
     *
     * @param image    the runtime image
     * @param vcpus    whole CPUs
     * @param memoryMb the memory limit in MiB
     * @param profile  the security profile
     * @param network  whether it has network access
     * @param dir      a host directory mounted at /workspace
     * @param diskMb   the size of its disk in MiB
     * @param pull     when the server asks the image's registry
     * @param backend  the isolation backend
     * @param ttl      the time to live
     * @param snapshot the snapshot it is made from
     * @param networkPolicy what its network may reach
     */
    public SandboxOptions(Optional<String> image, OptionalDouble vcpus, OptionalLong memoryMb, Optional<Profile> profile,
                          Optional<Boolean> network, Optional<String> dir, OptionalLong diskMb,
                          Optional<PullPolicy> pull, Optional<String> backend, Optional<java.time.Duration> ttl,
                          Optional<String> snapshot, Optional<dev.agentkernel.api.NetworkRules> networkPolicy) {
        this(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, ttl, snapshot, networkPolicy, List.of(),
                List.of());
    }

    /**
     * Options without a network policy.
     *
     * @param image    the runtime image
     * @param vcpus    whole CPUs
     * @param memoryMb the memory limit in MiB
     * @param profile  the security profile
     * @param network  whether it has network access
     * @param dir      a host directory mounted at /workspace
     * @param diskMb   the size of its disk in MiB
     * @param pull     when the server asks the image's registry
     * @param backend  the isolation backend
     * @param ttl      the time to live
     * @param snapshot the snapshot it is made from
     */
    public SandboxOptions(Optional<String> image, OptionalDouble vcpus, OptionalLong memoryMb, Optional<Profile> profile,
                          Optional<Boolean> network, Optional<String> dir, OptionalLong diskMb,
                          Optional<PullPolicy> pull, Optional<String> backend, Optional<java.time.Duration> ttl,
                          Optional<String> snapshot) {
        this(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, ttl, snapshot, Optional.empty());
    }

    /**
     * Options not from a snapshot.
     *
     * @param image    the runtime image
     * @param vcpus    whole CPUs
     * @param memoryMb the memory limit in MiB
     * @param profile  the security profile
     * @param network  whether it has network access
     * @param dir      a host directory mounted at /workspace
     * @param diskMb   the size of its disk in MiB
     * @param pull     when the server asks the image's registry
     * @param backend  the isolation backend
     * @param ttl      the time to live
     */
    public SandboxOptions(Optional<String> image, OptionalDouble vcpus, OptionalLong memoryMb, Optional<Profile> profile,
                          Optional<Boolean> network, Optional<String> dir, OptionalLong diskMb,
                          Optional<PullPolicy> pull, Optional<String> backend, Optional<java.time.Duration> ttl) {
        this(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, ttl, Optional.empty());
    }

    /**
     * Options without a time to live.
     *
     * @param image    the runtime image
     * @param vcpus    whole CPUs
     * @param memoryMb the memory limit in MiB
     * @param profile  the security profile
     * @param network  whether it has network access
     * @param dir      a host directory mounted at /workspace
     * @param diskMb   the size of its disk in MiB
     * @param pull     when the server asks the image's registry
     * @param backend  the isolation backend
     */
    public SandboxOptions(Optional<String> image, OptionalDouble vcpus, OptionalLong memoryMb, Optional<Profile> profile,
                          Optional<Boolean> network, Optional<String> dir, OptionalLong diskMb,
                          Optional<PullPolicy> pull, Optional<String> backend) {
        this(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, Optional.empty());
    }

    /**
     * Options on the server's default backend.
     *
     * @param image    the runtime image
     * @param vcpus    whole CPUs
     * @param memoryMb the memory limit in MiB
     * @param profile  the security profile
     * @param network  whether it has network access
     * @param dir      a host directory mounted at /workspace
     * @param diskMb   the size of its disk in MiB
     * @param pull     when the server asks the image's registry
     */
    public SandboxOptions(Optional<String> image, OptionalDouble vcpus, OptionalLong memoryMb, Optional<Profile> profile,
                          Optional<Boolean> network, Optional<String> dir, OptionalLong diskMb,
                          Optional<PullPolicy> pull) {
        this(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, Optional.empty());
    }

    /** Checks for nulls; the server validates the values. */
    public SandboxOptions {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(vcpus, "vcpus");
        Objects.requireNonNull(memoryMb, "memoryMb");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(diskMb, "diskMb");
        Objects.requireNonNull(pull, "pull");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(networkPolicy, "networkPolicy");
        Objects.requireNonNull(sourceUrl, "sourceUrl");
        Objects.requireNonNull(sourceRef, "sourceRef");
        secrets = List.copyOf(secrets);
        secretFiles = List.copyOf(secretFiles);
        secretsInBody = List.copyOf(secretsInBody);
        if (ttl.isPresent() && ttl.get().toSeconds() < 1) {
            throw new IllegalArgumentException("ttl must be at least one second, got " + ttl.get());
        }
    }

    /**
     * Options without a pull policy (the server pulls a missing image).
     *
     * @param image    the runtime image
     * @param vcpus    CPUs the sandbox may use
     * @param memoryMb memory limit in MiB
     * @param profile  the security profile
     * @param network  false turns the network off
     * @param dir      a directory on the daemon's host mounted at {@code /workspace}
     * @param diskMb   size of the sandbox's own disk in MiB
     */
    public SandboxOptions(Optional<String> image, OptionalDouble vcpus, OptionalLong memoryMb,
                          Optional<Profile> profile, Optional<Boolean> network, Optional<String> dir,
                          OptionalLong diskMb) {
        this(image, vcpus, memoryMb, profile, network, dir, diskMb, Optional.empty());
    }

    /**
     * These options with the sandbox's {@code /workspace} cloned from a Git repository's default branch.
     *
     * @param url an {@code https://}, {@code http://} or {@code git://} URL
     * @return a copy
     */
    public SandboxOptions withSource(String url) {
        return new SandboxOptions(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, ttl, snapshot,
                networkPolicy, secrets, secretFiles, secretsInBody, Optional.of(url), Optional.empty());
    }

    /**
     * These options with the sandbox's {@code /workspace} cloned from a Git repository, at a branch, tag or commit.
     *
     * @param url an {@code https://}, {@code http://} or {@code git://} URL
     * @param ref the branch, tag or commit to check out
     * @return a copy
     */
    public SandboxOptions withSource(String url, String ref) {
        return new SandboxOptions(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, ttl, snapshot,
                networkPolicy, secrets, secretFiles, secretsInBody, Optional.of(url), Optional.of(ref));
    }

    /**
     * A copy with secrets granted ({@code "KEY:host"}, {@code "KEY:host:header"}, {@code "KEY=value:host"}).
     *
     * @param value the bindings
     * @return the changed copy
     */
    public SandboxOptions withSecrets(List<String> value) {
        return new SandboxOptions(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, ttl, snapshot,
                networkPolicy, value, secretFiles, secretsInBody, sourceUrl, sourceRef);
    }

    /**
     * A copy whose named secrets' placeholders are also files under {@code /run/agentkernel/secrets}.
     *
     * @param value the secrets' names (each also granted by {@link #withSecrets})
     * @return the changed copy
     */
    public SandboxOptions withSecretFiles(List<String> value) {
        return new SandboxOptions(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, ttl, snapshot,
                networkPolicy, secrets, value, secretsInBody, sourceUrl, sourceRef);
    }

    /**
     * A copy whose named secrets' placeholders the proxy also replaces in request bodies.
     *
     * @param value the secrets' names (each also granted by {@link #withSecrets})
     * @return the changed copy
     */
    public SandboxOptions withSecretsInBody(List<String> value) {
        return new SandboxOptions(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, ttl, snapshot,
                networkPolicy, secrets, secretFiles, value, sourceUrl, sourceRef);
    }

    /**
     * A copy with a pull policy for the image.
     *
     * @param value when the server asks the image's registry
     * @return the changed copy
     */
    public SandboxOptions withNetworkPolicy(dev.agentkernel.api.NetworkRules value) {
        return new SandboxOptions(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, ttl, snapshot,
                Optional.of(value), secrets, secretFiles, secretsInBody, sourceUrl, sourceRef);
    }

    /**
     * A copy with a pull policy for the image.
     *
     * @param value when the server asks the image's registry
     * @return the changed copy
     */
    public SandboxOptions withPull(PullPolicy value) {
        return new SandboxOptions(image, vcpus, memoryMb, profile, network, dir, diskMb, Optional.of(value), backend, ttl, snapshot, networkPolicy, secrets, secretFiles, secretsInBody, sourceUrl, sourceRef);
    }

    /**
     * Options without a disk size (the server's default applies).
     *
     * @param image    the runtime image
     * @param vcpus    CPUs the sandbox may use
     * @param memoryMb memory limit in MiB
     * @param profile  the security profile
     * @param network  false turns the network off
     * @param dir      a directory on the daemon's host mounted at {@code /workspace}
     */
    public SandboxOptions(Optional<String> image, OptionalDouble vcpus, OptionalLong memoryMb,
                          Optional<Profile> profile, Optional<Boolean> network, Optional<String> dir) {
        this(image, vcpus, memoryMb, profile, network, dir, OptionalLong.empty());
    }

    /**
     * Everything left to the server.
     *
     * @return the default options
     */
    public static SandboxOptions defaults() {
        return new SandboxOptions(Optional.empty(), OptionalDouble.empty(), OptionalLong.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /**
     * A copy with another image.
     *
     * @param value the image, e.g. {@code python:3.12-alpine}
     * @return the changed copy
     */
    public SandboxOptions withImage(String value) {
        return new SandboxOptions(Optional.of(value), vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, ttl, snapshot, networkPolicy, secrets, secretFiles, secretsInBody, sourceUrl, sourceRef);
    }

    /**
     * A copy with another CPU limit.
     *
     * @param value whole CPUs, e.g. 1 or 2 (a fraction is refused when the sandbox is created)
     * @return the changed copy
     */
    public SandboxOptions withVcpus(double value) {
        return new SandboxOptions(image, OptionalDouble.of(value), memoryMb, profile, network, dir, diskMb, pull, backend, ttl, snapshot, networkPolicy, secrets, secretFiles, secretsInBody, sourceUrl, sourceRef);
    }

    /**
     * A copy with another memory limit.
     *
     * @param value MiB, e.g. 1024
     * @return the changed copy
     */
    public SandboxOptions withMemoryMb(long value) {
        return new SandboxOptions(image, vcpus, OptionalLong.of(value), profile, network, dir, diskMb, pull, backend, ttl, snapshot, networkPolicy, secrets, secretFiles, secretsInBody, sourceUrl, sourceRef);
    }

    /**
     * A copy with another disk size.
     *
     * @param value MiB, e.g. 1024
     * @return the changed copy
     */
    public SandboxOptions withDiskMb(long value) {
        return new SandboxOptions(image, vcpus, memoryMb, profile, network, dir, OptionalLong.of(value), pull, backend, ttl, snapshot, networkPolicy, secrets, secretFiles, secretsInBody, sourceUrl, sourceRef);
    }

    /**
     * A copy with another security profile.
     *
     * @param value the profile
     * @return the changed copy
     */
    public SandboxOptions withProfile(Profile value) {
        return new SandboxOptions(image, vcpus, memoryMb, Optional.of(value), network, dir, diskMb, pull, backend, ttl, snapshot, networkPolicy, secrets, secretFiles, secretsInBody, sourceUrl, sourceRef);
    }

    /**
     * A copy that turns the network off (false), or keeps it as the profile allows (true).
     *
     * @param value false for a sandbox without network
     * @return the changed copy
     */
    public SandboxOptions withNetwork(boolean value) {
        return new SandboxOptions(image, vcpus, memoryMb, profile, Optional.of(value), dir, diskMb, pull, backend, ttl, snapshot, networkPolicy, secrets, secretFiles, secretsInBody, sourceUrl, sourceRef);
    }

    /**
     * A copy that mounts a directory of the daemon's host at {@code /workspace}.
     *
     * @param value an absolute path on the daemon's host, e.g. {@code /home/me/project}
     * @return the changed copy
     */
    public SandboxOptions withDir(String value) {
        return new SandboxOptions(image, vcpus, memoryMb, profile, network, Optional.of(value), diskMb, pull, backend, ttl, snapshot, networkPolicy, secrets, secretFiles, secretsInBody, sourceUrl, sourceRef);
    }

    /**
     * A copy on another isolation backend, which the sandbox keeps ({@code agentkernel doctor} lists those
     * of a host).
     *
     * @param value the backend's name, e.g. {@code runc} or {@code gvisor}
     * @return the changed copy
     */
    public SandboxOptions withBackend(String value) {
        return new SandboxOptions(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, Optional.of(value), ttl, snapshot, networkPolicy, secrets, secretFiles, secretsInBody, sourceUrl, sourceRef);
    }

    /**
     * A copy that the server removes, with its files, {@code value} after its creation (unless
     * extended with {@link AgentKernel#extendSandbox}).
     *
     * @param value the time to live, whole seconds, at least one
     * @return the changed copy
     */
    public SandboxOptions withTtl(java.time.Duration value) {
        return new SandboxOptions(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend,
                Optional.of(value), snapshot, networkPolicy, secrets, secretFiles, secretsInBody, sourceUrl, sourceRef);
    }

    /**
     * A copy made from a snapshot: the new sandbox starts with the snapshot's files, on its image,
     * with the settings of the sandbox it was taken from unless these options give others. Not
     * together with {@link #withImage}.
     *
     * @param value the snapshot's name
     * @return the changed copy
     */
    public SandboxOptions withSnapshot(String value) {
        return new SandboxOptions(image, vcpus, memoryMb, profile, network, dir, diskMb, pull, backend, ttl,
                Optional.of(value), networkPolicy, secrets, secretFiles, secretsInBody);
    }
}
