package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A finished command's output and end ({@code POST /sandboxes/NAME/exec}, the MCP
 * {@code sandbox_exec}).
 *
 * @param output    standard output and standard error, interleaved as produced (UTF-8)
 * @param stdout    standard output
 * @param stderr    standard error
 * @param exitCode  the exit code (124: timed out, 137: killed)
 * @param reason    how it ended when not by itself (timed out, out of memory, a signal); absent otherwise
 * @param truncated present (true) when the output was longer than an answer keeps
 */
public record CommandResult(String output, String stdout, String stderr, int exitCode,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Boolean truncated) {
}
