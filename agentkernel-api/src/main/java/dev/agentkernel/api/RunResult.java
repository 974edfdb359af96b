package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /run}: a {@link CommandResult} and where and how long it ran.
 *
 * @param output     standard output and standard error, interleaved as produced (UTF-8)
 * @param stdout     standard output
 * @param stderr     standard error
 * @param exitCode   the exit code (124: timed out, 137: killed)
 * @param reason     how it ended when not by itself; absent otherwise
 * @param truncated  present (true) when the output was longer than an answer keeps
 * @param sandbox    the sandbox it ran in
 * @param durationMs how long it took
 */
public record RunResult(String output, String stdout, String stderr, int exitCode,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean truncated,
                        String sandbox, long durationMs) {
}
