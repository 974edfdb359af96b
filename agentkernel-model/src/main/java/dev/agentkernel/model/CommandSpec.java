package dev.agentkernel.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One command to run in a sandbox. Arguments are passed as argv, never joined into a
 * shell string.
 *
 * @param argv    program and arguments; not empty, no NUL bytes
 * @param env     variables added to the sandbox's environment for this command
 * @param workdir working directory inside the sandbox, or empty for the sandbox's default
 * @param timeout wall-clock limit, or empty for none
 * @param root    run as root of the sandbox (root of its own user namespace, never the host's)
 *                instead of the sandbox's unprivileged user; what the published clients call {@code sudo}
 */
public record CommandSpec(List<String> argv, Map<String, String> env, Optional<String> workdir,
                          Optional<Duration> timeout, boolean root) {

    /** The longest timeout accepted. */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(7);

    /** Validates and defensively copies. @throws InvalidRequestException for a bad command */
    public CommandSpec {
        argv = List.copyOf(requireValidArgv(argv, "-- python3 -c \"print(1)\""));
        env = Map.copyOf(env);
        env.forEach(EnvVar::requireValid);
        workdir.ifPresent(w -> SandboxPaths.requireAbsolute(w, "working directory"));
        timeout.ifPresent(t -> {
            if (t.isNegative() || t.isZero()) {
                throw new InvalidRequestException("timeout must be positive, got " + t.toSeconds() + " s");
            }
            if (t.compareTo(MAX_TIMEOUT) > 0) {
                throw new InvalidRequestException("timeout " + t.toSeconds() + " s is longer than the maximum of "
                        + MAX_TIMEOUT.toSeconds() + " s (7 days)");
            }
        });
    }

    /** A command run as the sandbox's unprivileged user. */
    public CommandSpec(List<String> argv, Map<String, String> env, Optional<String> workdir, Optional<Duration> timeout) {
        this(argv, env, workdir, timeout, false);
    }

    /**
     * The one check of a command's argv, for every type that carries one.
     *
     * @param example how a valid command looks in the caller's syntax, for the message
     * @return {@code argv}
     * @throws InvalidRequestException if it is empty, starts with an empty program or holds a NUL byte
     */
    public static List<String> requireValidArgv(List<String> argv, String example) {
        Objects.requireNonNull(argv, "argv");
        if (argv.isEmpty() || argv.getFirst() == null || argv.getFirst().isEmpty()) {
            throw new InvalidRequestException("no command given: say what to run, e.g. " + example);
        }
        for (String arg : argv) {
            if (arg == null || arg.indexOf('\0') >= 0) {
                throw new InvalidRequestException("command arguments must be strings without NUL bytes");
            }
        }
        return argv;
    }

    /** A command with no extra environment, the default directory and no timeout. */
    public static CommandSpec of(String... argv) {
        return new CommandSpec(List.of(argv), Map.of(), Optional.empty(), Optional.empty());
    }

    /** A copy with a timeout. */
    public CommandSpec withTimeout(Duration value) {
        return new CommandSpec(argv, env, workdir, Optional.of(value), root);
    }

    /** A copy run as root of the sandbox ({@code true}) or as its user. */
    public CommandSpec asRoot(boolean value) {
        return new CommandSpec(argv, env, workdir, timeout, value);
    }
}
