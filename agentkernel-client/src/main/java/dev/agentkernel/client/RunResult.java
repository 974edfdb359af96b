package dev.agentkernel.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a finished command produced, from {@link AgentKernel#run} or
 * {@link AgentKernel#execInSandbox}. Output is kept byte for byte as text (decoded as UTF-8):
 * {@code print(1 + 1)} gives {@code "2\n"}.
 *
 * @param output    stdout and stderr interleaved as they arrived
 * @param stdout    standard output alone
 * @param stderr    standard error alone
 * @param exitCode  the exit code as a shell reports it: the command's own, 128 + signal, 124 on
 *                  timeout, 137 when out of memory (0 from servers that do not report it)
 * @param reason    why the command ended unusually (timed out, killed, out of memory), if it did
 * @param truncated whether the server dropped output beyond its limit (16 MiB)
 * @param sandbox   the temporary sandbox that ran a {@code run}; empty for an exec
 * @param duration  how long a {@code run} took on the server; empty for an exec
 */
public record RunResult(String output, String stdout, String stderr, int exitCode, Optional<String> reason,
                        boolean truncated, Optional<String> sandbox, Optional<Duration> duration) {

    /** Checks for nulls. */
    public RunResult {
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(duration, "duration");
    }

    /**
     * Whether the command exited with 0.
     *
     * @return {@code exitCode() == 0}
     */
    public boolean succeeded() {
        return exitCode == 0;
    }
}
