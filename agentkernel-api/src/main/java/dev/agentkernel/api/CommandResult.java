package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A finished command's output and end ({@code POST /sandboxes/NAME/exec}, the MCP
 * {@code sandbox_exec}).
 *
 * @param output    standard output and standard error, interleaved as produced (UTF-8 text, or base64
 *                  of the exact bytes when {@code encoding} is {@code base64})
 * @param stdout    standard output (text or base64, as {@code output})
 * @param stderr    standard error (text or base64, as {@code output})
 * @param exitCode  the exit code (124: timed out, 137: killed)
 * @param reason    how it ended when not by itself (timed out, out of memory, a signal); absent otherwise
 * @param truncated present (true) when the output was longer than an answer keeps
 * @param encoding  {@code base64} when the request asked for it ({@code "output_encoding": "base64"});
 *                  absent for text
 */
public record CommandResult(String output, String stdout, String stderr, int exitCode,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Boolean truncated,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String encoding) {

    /** A result with its output as text. */
    public CommandResult(String output, String stdout, String stderr, int exitCode, String reason, Boolean truncated) {
        this(output, stdout, stderr, exitCode, reason, truncated, null);
    }
}
