package dev.agentkernel.client;

import java.util.Objects;
import java.util.Optional;

/**
 * What a background process wrote so far ({@link AgentKernel#detachedLogs}), as UTF-8 text. The daemon
 * keeps only the last part of each stream (a few MiB); {@code *Dropped} says how many bytes before it
 * were dropped.
 *
 * @param stdout        its standard output (empty when only stderr was asked for)
 * @param stderr        its standard error (empty when only stdout was asked for)
 * @param stdoutDropped bytes of standard output dropped from the beginning
 * @param stderrDropped bytes of standard error dropped from the beginning
 */
public record BackgroundLogs(Optional<String> stdout, Optional<String> stderr, long stdoutDropped, long stderrDropped) {

    /** Checks for nulls. */
    public BackgroundLogs {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }
}
