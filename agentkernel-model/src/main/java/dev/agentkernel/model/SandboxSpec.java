package dev.agentkernel.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a backend needs to build one sandbox, fully resolved: no defaults are
 * applied after this point. Built by the core's {@code PolicyResolver} from a profile,
 * configuration and per-request overrides.
 *
 * @param image        the image asked for or detected, if any, as named
 * @param root         what the root file system is made of: the host's or the image's (resolved)
 * @param profile      the profile this spec was resolved from
 * @param network      network mode
 * @param readOnlyRoot whether the root filesystem (including /workspace) is read-only
 * @param limits       resource limits for the whole sandbox
 * @param mounts       host paths made visible inside, in order
 * @param env          environment of every command (no host variables unless listed here)
 * @param workdir      default working directory inside the sandbox
 * @param hostname     hostname inside the sandbox
 * @param backend      the isolation backend it runs on, by name; empty: the configured default
 * @param egress       what its network may reach beyond the profile's rules ({@link NetworkPolicy#NONE}: no more rules)
 * @param secrets      secrets granted to it: its environment holds their placeholders, the host's egress proxy
 *                     puts the values in their place in requests to the granted hosts
 */
public record SandboxSpec(Optional<String> image, RootFs root, Profile profile, NetworkMode network, boolean readOnlyRoot,
                          ResourceLimits limits, List<Mount> mounts, Map<String, String> env, String workdir,
                          String hostname, Optional<String> backend, NetworkPolicy egress, List<SecretGrant> secrets) {

    /** Validates and defensively copies. */
    public SandboxSpec {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(limits, "limits");
        mounts = List.copyOf(mounts);
        env = Map.copyOf(env);
        env.forEach(EnvVar::requireValid);
        SandboxPaths.requireAbsolute(workdir, "working directory");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(backend, "backend");
        backend.ifPresent(SandboxRequest::requireBackendName);
        Objects.requireNonNull(egress, "egress");
        secrets = List.copyOf(secrets);
    }

    /** A spec without secrets. */
    public SandboxSpec(Optional<String> image, RootFs root, Profile profile, NetworkMode network, boolean readOnlyRoot,
                       ResourceLimits limits, List<Mount> mounts, Map<String, String> env, String workdir,
                       String hostname, Optional<String> backend, NetworkPolicy egress) {
        this(image, root, profile, network, readOnlyRoot, limits, mounts, env, workdir, hostname, backend, egress,
                List.of());
    }

    /** Whether egress control applies: it has network and a policy with rules, or secrets. */
    public boolean egressControlled() {
        return network == NetworkMode.OUTBOUND && (egress.restricts() || !secrets.isEmpty());
    }

    /** This spec with secrets granted (their placeholders are the caller's to put in {@link #env}). */
    public SandboxSpec withSecrets(List<SecretGrant> granted) {
        return new SandboxSpec(image, root, profile, network, readOnlyRoot, limits, mounts, env, workdir, hostname, backend,
                egress, granted);
    }

    /** This spec with another environment. */
    public SandboxSpec withEnv(Map<String, String> other) {
        return new SandboxSpec(image, root, profile, network, readOnlyRoot, limits, mounts, other, workdir, hostname, backend,
                egress, secrets);
    }

    /** A spec without a network policy. */
    public SandboxSpec(Optional<String> image, RootFs root, Profile profile, NetworkMode network, boolean readOnlyRoot,
                       ResourceLimits limits, List<Mount> mounts, Map<String, String> env, String workdir,
                       String hostname, Optional<String> backend) {
        this(image, root, profile, network, readOnlyRoot, limits, mounts, env, workdir, hostname, backend,
                NetworkPolicy.NONE);
    }

    /** This spec with a network policy. */
    public SandboxSpec withEgress(NetworkPolicy other) {
        return new SandboxSpec(image, root, profile, network, readOnlyRoot, limits, mounts, env, workdir, hostname, backend,
                other, secrets);
    }

    /** A spec on the default backend. */
    public SandboxSpec(Optional<String> image, RootFs root, Profile profile, NetworkMode network, boolean readOnlyRoot,
                       ResourceLimits limits, List<Mount> mounts, Map<String, String> env, String workdir,
                       String hostname) {
        this(image, root, profile, network, readOnlyRoot, limits, mounts, env, workdir, hostname, Optional.empty());
    }

    /** A spec on the host's root file system. */
    public SandboxSpec(Optional<String> image, Profile profile, NetworkMode network, boolean readOnlyRoot,
                       ResourceLimits limits, List<Mount> mounts, Map<String, String> env, String workdir,
                       String hostname) {
        this(image, new RootFs.Host(), profile, network, readOnlyRoot, limits, mounts, env, workdir, hostname);
    }

    /** This spec with other mounts. */
    public SandboxSpec withMounts(List<Mount> other) {
        return new SandboxSpec(image, root, profile, network, readOnlyRoot, limits, other, env, workdir, hostname, backend, egress, secrets);
    }

    /** This spec with another root file system. */
    public SandboxSpec withRoot(RootFs other) {
        return new SandboxSpec(image, other, profile, network, readOnlyRoot, limits, mounts, env, workdir, hostname, backend, egress, secrets);
    }

    /** This spec with other limits. */
    public SandboxSpec withLimits(ResourceLimits other) {
        return new SandboxSpec(image, root, profile, network, readOnlyRoot, other, mounts, env, workdir, hostname, backend, egress, secrets);
    }

    /** This spec with another hostname. */
    public SandboxSpec withHostname(String other) {
        return new SandboxSpec(image, root, profile, network, readOnlyRoot, limits, mounts, env, workdir, other, backend, egress, secrets);
    }

    /** This spec with another default working directory. */
    public SandboxSpec withWorkdir(String other) {
        return new SandboxSpec(image, root, profile, network, readOnlyRoot, limits, mounts, env, other, hostname, backend, egress, secrets);
    }

    /** This spec on the named backend. */
    public SandboxSpec withBackend(String other) {
        return new SandboxSpec(image, root, profile, network, readOnlyRoot, limits, mounts, env, workdir, hostname,
                Optional.of(other), egress, secrets);
    }
}
