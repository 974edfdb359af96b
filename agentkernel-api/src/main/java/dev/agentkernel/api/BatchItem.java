package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry of {@code /batch/run}'s results: the fields of a {@link RunResult}, or {@code output}
 * null and {@code error} set when the command could not run. {@code output} and {@code error} are
 * always present (the published clients read both).
 *
 * @param output     the interleaved output (text, or base64 when {@code encoding} says so), or null
 * @param stdout     standard output (absent on error)
 * @param stderr     standard error (absent on error)
 * @param exitCode   the exit code (absent on error)
 * @param reason     how it ended when not by itself
 * @param truncated  present (true) when the output was cut
 * @param sandbox    the sandbox it ran in (absent on error)
 * @param durationMs how long it took (absent on error)
 * @param error      why it could not run, or null
 * @param encoding   {@code base64} when the entry asked for it ({@code "output_encoding": "base64"}); absent
 *                   for text
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchItem(@Nullable @JsonInclude(JsonInclude.Include.ALWAYS) String output, String stdout, String stderr,
                        Integer exitCode, String reason, Boolean truncated, String sandbox, Long durationMs,
                        @Nullable @JsonInclude(JsonInclude.Include.ALWAYS) String error, String encoding) {

    /** An entry with its output as text. */
    public BatchItem(String output, String stdout, String stderr, Integer exitCode, String reason, Boolean truncated,
                     String sandbox, Long durationMs, String error) {
        this(output, stdout, stderr, exitCode, reason, truncated, sandbox, durationMs, error, null);
    }

    /** A command that ran. */
    public static BatchItem of(RunResult r) {
        return new BatchItem(r.output(), r.stdout(), r.stderr(), r.exitCode(), r.reason(), r.truncated(), r.sandbox(),
                r.durationMs(), null, r.encoding());
    }

    /** A command that could not run. */
    public static BatchItem failed(String error) {
        return new BatchItem(null, null, null, null, null, null, null, null, error);
    }
}
