package dev.agentkernel.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * What a finished command produced, from {@link AgentKernel#run} or
 * {@link AgentKernel#execInSandbox}. Output is kept twice: as text (decoded as UTF-8, bytes that
 * are not UTF-8 replaced by U+FFFD: {@code print(1 + 1)} gives {@code "2\n"}) and as the exact
 * bytes the command wrote ({@link #stdoutBytes()}, {@link #stderrBytes()}, {@link #outputBytes()}),
 * for binary output. A server that does not send the bytes (one from before
 * {@code output_encoding}) gives the UTF-8 encoding of its text instead.
 *
 * @param output      stdout and stderr interleaved as they arrived, as text
 * @param stdout      standard output alone, as text
 * @param stderr      standard error alone, as text
 * @param exitCode    the exit code as a shell reports it: the command's own, 128 + signal, 124 on
 *                    timeout, 137 when out of memory (0 from servers that do not report it)
 * @param reason      why the command ended unusually (timed out, killed, out of memory), if it did
 * @param truncated   whether the server dropped output beyond its limit (16 MiB)
 * @param sandbox     the temporary sandbox that ran a {@code run}; empty for an exec
 * @param duration    how long a {@code run} took on the server; empty for an exec
 * @param outputBytes the bytes of {@code output}
 * @param stdoutBytes the bytes of {@code stdout}
 * @param stderrBytes the bytes of {@code stderr}
 */
public record RunResult(String output, String stdout, String stderr, int exitCode, Optional<String> reason,
                        boolean truncated, Optional<String> sandbox, Optional<Duration> duration,
                        byte[] outputBytes, byte[] stdoutBytes, byte[] stderrBytes) {

    /** Checks for nulls and copies the bytes. */
    public RunResult {
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(duration, "duration");
        outputBytes = Objects.requireNonNull(outputBytes, "outputBytes").clone();
        stdoutBytes = Objects.requireNonNull(stdoutBytes, "stdoutBytes").clone();
        stderrBytes = Objects.requireNonNull(stderrBytes, "stderrBytes").clone();
    }

    /**
     * A result whose bytes are the UTF-8 encoding of its text (e.g. for test doubles).
     *
     * @param output    stdout and stderr interleaved
     * @param stdout    standard output
     * @param stderr    standard error
     * @param exitCode  the exit code
     * @param reason    why it ended unusually, if it did
     * @param truncated whether output was dropped
     * @param sandbox   the temporary sandbox of a {@code run}
     * @param duration  how long a {@code run} took
     */
    public RunResult(String output, String stdout, String stderr, int exitCode, Optional<String> reason,
                     boolean truncated, Optional<String> sandbox, Optional<Duration> duration) {
        this(output, stdout, stderr, exitCode, reason, truncated, sandbox, duration, utf8(output), utf8(stdout),
                utf8(stderr));
    }

    private static byte[] utf8(String text) {
        return Objects.requireNonNull(text, "output, stdout and stderr must not be null")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The exact bytes of stdout and stderr interleaved as they arrived.
     *
     * @return a copy
     */
    @Override
    public byte[] outputBytes() {
        return outputBytes.clone();
    }

    /**
     * The exact bytes of standard output.
     *
     * @return a copy
     */
    @Override
    public byte[] stdoutBytes() {
        return stdoutBytes.clone();
    }

    /**
     * The exact bytes of standard error.
     *
     * @return a copy
     */
    @Override
    public byte[] stderrBytes() {
        return stderrBytes.clone();
    }

    /**
     * Whether the command exited with 0.
     *
     * @return {@code exitCode() == 0}
     */
    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Equal when every component is, the bytes by content. */
    @Override
    public boolean equals(Object o) {
        return o instanceof RunResult && equalTo((RunResult) o);
    }

    private boolean equalTo(RunResult r) {
        return output.equals(r.output) && stdout.equals(r.stdout) && stderr.equals(r.stderr) && exitCode == r.exitCode
                && reason.equals(r.reason) && truncated == r.truncated && sandbox.equals(r.sandbox)
                && duration.equals(r.duration) && Arrays.equals(outputBytes, r.outputBytes)
                && Arrays.equals(stdoutBytes, r.stdoutBytes) && Arrays.equals(stderrBytes, r.stderrBytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(output, stdout, stderr, exitCode, reason, truncated, sandbox, duration,
                Arrays.hashCode(outputBytes), Arrays.hashCode(stdoutBytes), Arrays.hashCode(stderrBytes));
    }

    /** The text components and the sizes of the bytes. */
    @Override
    public String toString() {
        return "RunResult[output=" + output + ", stdout=" + stdout + ", stderr=" + stderr + ", exitCode=" + exitCode
                + ", reason=" + reason + ", truncated=" + truncated + ", sandbox=" + sandbox + ", duration=" + duration
                + ", outputBytes=" + outputBytes.length + " bytes, stdoutBytes=" + stdoutBytes.length
                + " bytes, stderrBytes=" + stderrBytes.length + " bytes]";
    }
}
