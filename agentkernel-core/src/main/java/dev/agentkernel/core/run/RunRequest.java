package dev.agentkernel.core.run;

import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.ImagePull;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.Profile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A request to run one command in a fresh sandbox.
 *
 * @param command argv; validated as {@link CommandSpec} does
 * @param image   image asked for; detected from the command when empty (never from a directory)
 * @param profile security profile; moderate when empty
 * @param timeout wall-clock limit; the service's default when empty
 * @param env     extra environment variables
 * @param fast    whether a pre-started sandbox from the warm pool may serve it
 * @param root    whether it runs as root of the sandbox instead of its unprivileged user (the wire's {@code sudo})
 * @param pull    when the image's registry is asked (the wire's {@code pull})
 * @param backend the isolation backend by name; the default when empty
 * @param egress  what the sandbox's network may reach (a policy with rules never runs in a pooled sandbox)
 */
public record RunRequest(List<String> command, Optional<String> image, Optional<Profile> profile,
                         Optional<Duration> timeout, Map<String, String> env, boolean fast, boolean root,
                         ImagePull pull, Optional<String> backend, dev.agentkernel.model.NetworkPolicy egress) {

    /** Validates and copies. @throws dev.agentkernel.model.InvalidRequestException for a bad command */
    public RunRequest {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(pull, "pull");
        backend.ifPresent(SandboxRequest::requireBackendName);
        new CommandSpec(command, env, Optional.empty(), timeout); // same validation, one place
        command = List.copyOf(command);
        env = Map.copyOf(env);
        Objects.requireNonNull(egress, "egress");
    }

    /** A request without a network policy. */
    public RunRequest(List<String> command, Optional<String> image, Optional<Profile> profile,
                      Optional<Duration> timeout, Map<String, String> env, boolean fast, boolean root,
                      ImagePull pull, Optional<String> backend) {
        this(command, image, profile, timeout, env, fast, root, pull, backend, dev.agentkernel.model.NetworkPolicy.NONE);
    }

    /** The same request under a network policy. */
    public RunRequest withEgress(dev.agentkernel.model.NetworkPolicy value) {
        return new RunRequest(command, image, profile, timeout, env, fast, root, pull, backend, value);
    }

    /** A request on the default backend. */
    public RunRequest(List<String> command, Optional<String> image, Optional<Profile> profile,
                      Optional<Duration> timeout, Map<String, String> env, boolean fast, boolean root, ImagePull pull) {
        this(command, image, profile, timeout, env, fast, root, pull, Optional.empty());
    }

    /** A request with the default pull policy. */
    public RunRequest(List<String> command, Optional<String> image, Optional<Profile> profile,
                      Optional<Duration> timeout, Map<String, String> env, boolean fast, boolean root) {
        this(command, image, profile, timeout, env, fast, root, ImagePull.MISSING);
    }

    /** A request as the sandbox's unprivileged user. */
    public RunRequest(List<String> command, Optional<String> image, Optional<Profile> profile,
                      Optional<Duration> timeout, Map<String, String> env, boolean fast) {
        this(command, image, profile, timeout, env, fast, false);
    }

    /** The same request, served by the pool or not. */
    public RunRequest withFast(boolean value) {
        return new RunRequest(command, image, profile, timeout, env, value, root, pull, backend, egress);
    }

    /** The same request, as root of the sandbox or not. */
    public RunRequest asRoot(boolean value) {
        return new RunRequest(command, image, profile, timeout, env, fast, value, pull, backend, egress);
    }

    /** The same request with a pull policy for its image. */
    public RunRequest withPull(ImagePull value) {
        return new RunRequest(command, image, profile, timeout, env, fast, root, value, backend, egress);
    }

    /** The same request on the named backend. */
    public RunRequest withBackend(String value) {
        return new RunRequest(command, image, profile, timeout, env, fast, root, pull, Optional.of(value), egress);
    }

    /** A request with defaults for everything but the command. */
    public static RunRequest of(List<String> command) {
        return new RunRequest(command, Optional.empty(), Optional.empty(), Optional.empty(), Map.of(), true);
    }
}
