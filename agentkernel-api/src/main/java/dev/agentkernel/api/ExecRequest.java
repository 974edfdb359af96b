package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code POST /sandboxes/NAME/exec} and {@code /exec/stream}: a command in a running sandbox.
 *
 * @param command the argv
 * @param env     environment variables as {@code KEY=VALUE}
 * @param workdir the working directory, an absolute path (default: /workspace)
 * @param timeout the time limit in seconds
 * @param sudo    run as root of the sandbox (its own user namespace's root, never the host's) instead
 *                of its unprivileged user, uid 1000 (default false; omitted when false)
 * @param outputEncoding how the answer carries the output: {@code utf8} (the default: text, invalid bytes
 *                replaced) or {@code base64} (the exact bytes, base64, with {@code "encoding": "base64"} in
 *                the answer); {@code /exec} only: {@code /exec/stream} refuses {@code base64}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ExecRequest(@JsonProperty(required = true) List<String> command, List<String> env, String workdir,
                          @com.fasterxml.jackson.databind.annotation.JsonSerialize(using = Seconds.class) Double timeout, Boolean sudo, String outputEncoding) {

    /** A request whose answer carries the output as UTF-8 text. */
    public ExecRequest(List<String> command, List<String> env, String workdir, Double timeout, Boolean sudo) {
        this(command, env, workdir, timeout, sudo, null);
    }

    public ExecRequest {
        command = Check.command(command, "[\"ls\", \"-la\"]");
        env = Check.strings(env, "env");
        workdir = Check.optionalText(workdir, "workdir");
        timeout = Check.timeout(timeout);
        sudo = Boolean.TRUE.equals(sudo) ? Boolean.TRUE : null;
        outputEncoding = Check.outputEncoding(outputEncoding);
    }

    /** Whether the answer carries the output's exact bytes as base64. */
    public boolean base64Output() {
        return outputEncoding != null;
    }

    /** Whether the command runs as root of the sandbox. */
    public boolean asRoot() {
        return Boolean.TRUE.equals(sudo);
    }

    /** {@code command} with the sandbox's defaults. */
    public static ExecRequest of(List<String> command) {
        return new ExecRequest(command, null, null, null, null);
    }
}
