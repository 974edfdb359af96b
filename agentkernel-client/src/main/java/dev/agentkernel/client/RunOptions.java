package dev.agentkernel.client;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a one-off command runs ({@link AgentKernel#run}, {@link AgentKernel#runStream},
 * {@link BatchCommand}). Immutable; start from {@link #defaults()} and change with the
 * {@code with...} methods:
 *
 * {@snippet :
 * RunOptions options = RunOptions.defaults()
 *         .withImage("python:3.12-alpine")
 *         .withProfile(Profile.RESTRICTIVE)
 *         .withTimeout(Duration.ofMinutes(2))
 *         .withEnv("MODE", "test");
 * }
 *
 * @param image   the runtime image; empty lets the server choose
 * @param profile the security profile; empty means the server's default ({@code moderate})
 * @param fast    whether the server may take a ready sandbox from its warm pool (default true)
 * @param timeout the command's wall-clock limit, after which the server kills the sandbox and
 *                reports exit code 124; empty means the server's default. It also extends the
 *                client's wait for the response beyond {@link ClientBuilder#timeout}
 * @param env     environment variables of the command, in order
 * @param sudo    run as root of the sandbox (root of its own user namespace, never the host's)
 *                instead of its unprivileged user, uid 1000 (default false)
 * @param pull    when the server asks the image's registry; empty means {@link PullPolicy#MISSING}
 * @param backend the isolation backend by name ({@code bwrap}, {@code runc}, {@code gvisor}); empty means the
 *                server's default
 * @param networkPolicy what the sandbox's network may reach; such a run never takes a pooled sandbox
 */
public record RunOptions(Optional<String> image, Optional<Profile> profile, boolean fast, Optional<Duration> timeout,
                         Map<String, String> env, boolean sudo, Optional<PullPolicy> pull, Optional<String> backend,
                         Optional<dev.agentkernel.api.NetworkRules> networkPolicy) {

    /**
     * Options without a network policy.
     *
     * @param image   the runtime image
     * @param profile the security profile
     * @param fast    whether a pooled sandbox may serve it
     * @param timeout the time limit
     * @param env     environment variables
     * @param sudo    whether it runs as the sandbox's root
     * @param pull    when the server asks the image's registry
     * @param backend the isolation backend
     */
    public RunOptions(Optional<String> image, Optional<Profile> profile, boolean fast, Optional<Duration> timeout,
                      Map<String, String> env, boolean sudo, Optional<PullPolicy> pull, Optional<String> backend) {
        this(image, profile, fast, timeout, env, sudo, pull, backend, Optional.empty());
    }

    /**
     * A copy under a network policy (such a run never takes a pooled sandbox).
     *
     * @param value what its network may reach
     * @return the changed copy
     */
    public RunOptions withNetworkPolicy(dev.agentkernel.api.NetworkRules value) {
        return new RunOptions(image, profile, fast, timeout, env, sudo, pull, backend, Optional.of(value));
    }

    /**
     * Checks and copies.
     *
     * @throws IllegalArgumentException if the timeout is not positive or an environment variable name is invalid
     */
    public RunOptions {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(timeout, "timeout");
        timeout.ifPresent(t -> Timeouts.requirePositive(t, "timeout"));
        env = EnvVars.copy(env);
        Objects.requireNonNull(pull, "pull");
        Objects.requireNonNull(backend, "backend");
    }

    /**
     * The options on the server's default backend.
     *
     * @param image   the runtime image; empty lets the server choose
     * @param profile the security profile; empty means the server's default
     * @param fast    whether the server may use its warm pool
     * @param timeout the command's wall-clock limit
     * @param env     environment variables of the command, in order
     * @param sudo    run as root of the sandbox
     * @param pull    when the server asks the image's registry
     */
    public RunOptions(Optional<String> image, Optional<Profile> profile, boolean fast, Optional<Duration> timeout,
                      Map<String, String> env, boolean sudo, Optional<PullPolicy> pull) {
        this(image, profile, fast, timeout, env, sudo, pull, Optional.empty());
    }

    /**
     * The options before {@code pull} existed.
     *
     * @param image   the runtime image; empty lets the server choose
     * @param profile the security profile; empty means the server's default
     * @param fast    whether the server may use its warm pool
     * @param timeout the command's wall-clock limit
     * @param env     environment variables of the command, in order
     * @param sudo    run as root of the sandbox
     */
    public RunOptions(Optional<String> image, Optional<Profile> profile, boolean fast, Optional<Duration> timeout,
                      Map<String, String> env, boolean sudo) {
        this(image, profile, fast, timeout, env, sudo, Optional.empty());
    }

    /**
     * A copy with a pull policy for the image.
     *
     * @param value when the server asks the image's registry
     * @return the changed copy
     */
    public RunOptions withPull(PullPolicy value) {
        return new RunOptions(image, profile, fast, timeout, env, sudo, Optional.of(value), backend, networkPolicy);
    }

    /**
     * The defaults: server-chosen image and profile, the warm pool, the server's timeout, no variables.
     *
     * @return the default options
     */
    public static RunOptions defaults() {
        return new RunOptions(Optional.empty(), Optional.empty(), true, Optional.empty(), Map.of(), false);
    }

    /**
     * A copy with another image.
     *
     * @param value the image, e.g. {@code python:3.12-alpine}
     * @return the changed copy
     */
    public RunOptions withImage(String value) {
        return new RunOptions(Optional.of(value), profile, fast, timeout, env, sudo, pull, backend, networkPolicy);
    }

    /**
     * A copy with another security profile.
     *
     * @param value the profile
     * @return the changed copy
     */
    public RunOptions withProfile(Profile value) {
        return new RunOptions(image, Optional.of(value), fast, timeout, env, sudo, pull, backend, networkPolicy);
    }

    /**
     * A copy that may or may not use the warm pool.
     *
     * @param value false to start a fresh sandbox for this command
     * @return the changed copy
     */
    public RunOptions withFast(boolean value) {
        return new RunOptions(image, profile, value, timeout, env, sudo, pull, backend, networkPolicy);
    }

    /**
     * A copy with another wall-clock limit of the command.
     *
     * @param value a positive duration, sent to the server with millisecond precision
     * @return the changed copy
     */
    public RunOptions withTimeout(Duration value) {
        return new RunOptions(image, profile, fast, Optional.of(value), env, sudo, pull, backend, networkPolicy);
    }

    /**
     * A copy with these environment variables instead of the current ones.
     *
     * @param value the variables, in order
     * @return the changed copy
     */
    public RunOptions withEnv(Map<String, String> value) {
        return new RunOptions(image, profile, fast, timeout, value, sudo, pull, backend, networkPolicy);
    }

    /**
     * A copy with one more environment variable (or a new value for it).
     *
     * @param name  the variable's name: not empty, without {@code =}
     * @param value its value
     * @return the changed copy
     */
    public RunOptions withEnv(String name, String value) {
        return new RunOptions(image, profile, fast, timeout, EnvVars.with(env, name, value), sudo, pull, backend, networkPolicy);
    }

    /**
     * A copy that runs the command as root of the sandbox, or not. Root of the sandbox is root of
     * its own user namespace with a container's usual capabilities, never the host's root.
     *
     * @param value true for root of the sandbox, false for its unprivileged user (uid 1000)
     * @return the changed copy
     */
    public RunOptions withSudo(boolean value) {
        return new RunOptions(image, profile, fast, timeout, env, value, pull, backend, networkPolicy);
    }

    /**
     * The options before {@code sudo} existed.
     *
     * @param image   the runtime image; empty lets the server choose
     * @param profile the security profile; empty means the server's default
     * @param fast    whether the server may use its warm pool
     * @param timeout the command's wall-clock limit
     * @param env     environment variables of the command, in order
     */
    public RunOptions(Optional<String> image, Optional<Profile> profile, boolean fast, Optional<Duration> timeout,
                      Map<String, String> env) {
        this(image, profile, fast, timeout, env, false);
    }

    /**
     * A copy on another isolation backend ({@code agentkernel doctor} lists those of a host).
     *
     * @param value the backend's name, e.g. {@code runc} or {@code gvisor}
     * @return the changed copy
     */
    public RunOptions withBackend(String value) {
        return new RunOptions(image, profile, fast, timeout, env, sudo, pull, Optional.of(value), networkPolicy);
    }
}
