package dev.agentkernel.client;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a command runs inside an existing sandbox ({@link AgentKernel#execInSandbox},
 * {@link SandboxSession#run}). Immutable; start from {@link #defaults()}.
 *
 * @param env     environment variables of the command, in order
 * @param workdir the absolute directory the command starts in; empty means the sandbox's default
 * @param timeout the command's wall-clock limit (exit code 124 when it runs out); empty means the
 *                server's default. It also extends the client's wait for the response beyond
 *                {@link ClientBuilder#timeout}
 * @param sudo    run as root of the sandbox (root of its own user namespace, never the host's)
 *                instead of its unprivileged user, uid 1000 (default false)
 */
public record ExecOptions(Map<String, String> env, Optional<String> workdir, Optional<Duration> timeout, boolean sudo) {

    /**
     * Checks and copies.
     *
     * @throws IllegalArgumentException if the timeout is not positive or an environment variable name is invalid
     */
    public ExecOptions {
        env = EnvVars.copy(env);
        Objects.requireNonNull(workdir, "workdir");
        Objects.requireNonNull(timeout, "timeout");
        timeout.ifPresent(t -> Timeouts.requirePositive(t, "timeout"));
    }

    /**
     * No variables, the sandbox's working directory, the server's timeout.
     *
     * @return the default options
     */
    public static ExecOptions defaults() {
        return new ExecOptions(Map.of(), Optional.empty(), Optional.empty(), false);
    }

    /**
     * A copy with these environment variables instead of the current ones.
     *
     * @param value the variables, in order
     * @return the changed copy
     */
    public ExecOptions withEnv(Map<String, String> value) {
        return new ExecOptions(value, workdir, timeout, sudo);
    }

    /**
     * A copy with one more environment variable (or a new value for it).
     *
     * @param name  the variable's name: not empty, without {@code =}
     * @param value its value
     * @return the changed copy
     */
    public ExecOptions withEnv(String name, String value) {
        return new ExecOptions(EnvVars.with(env, name, value), workdir, timeout, sudo);
    }

    /**
     * A copy that starts the command in another directory.
     *
     * @param value an absolute path inside the sandbox, e.g. {@code /workspace}
     * @return the changed copy
     */
    public ExecOptions withWorkdir(String value) {
        return new ExecOptions(env, Optional.of(value), timeout, sudo);
    }

    /**
     * A copy with another wall-clock limit of the command.
     *
     * @param value a positive duration
     * @return the changed copy
     */
    public ExecOptions withTimeout(Duration value) {
        return new ExecOptions(env, workdir, Optional.of(value), sudo);
    }

    /**
     * A copy that runs the command as root of the sandbox, or not. Root of the sandbox is root of
     * its own user namespace with a container's usual capabilities, never the host's root.
     *
     * @param value true for root of the sandbox, false for its unprivileged user (uid 1000)
     * @return the changed copy
     */
    public ExecOptions withSudo(boolean value) {
        return new ExecOptions(env, workdir, timeout, value);
    }

    /**
     * The options before {@code sudo} existed.
     *
     * @param env     environment variables of the command, in order
     * @param workdir the absolute directory the command starts in
     * @param timeout the command's wall-clock limit
     */
    public ExecOptions(Map<String, String> env, Optional<String> workdir, Optional<Duration> timeout) {
        this(env, workdir, timeout, false);
    }
}
