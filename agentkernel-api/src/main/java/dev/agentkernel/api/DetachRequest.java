package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code POST /sandboxes/NAME/exec/detach}: a command started in the background in a running sandbox
 * (the body of {@code /exec} without a time limit: a background process runs until it ends, is killed,
 * or its sandbox stops).
 *
 * @param command the argv
 * @param env     environment variables as {@code KEY=VALUE}
 * @param workdir the working directory, an absolute path (default: /workspace)
 * @param sudo    run as root of the sandbox (its own user namespace's root, never the host's) instead of
 *                its unprivileged user, uid 1000 (default false; omitted when false)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record DetachRequest(@JsonProperty(required = true) List<String> command, List<String> env, String workdir,
                            Boolean sudo) {

    public DetachRequest {
        command = Check.command(command, "[\"python3\", \"-m\", \"http.server\"]");
        env = Check.strings(env, "env");
        workdir = Check.optionalText(workdir, "workdir");
        sudo = Boolean.TRUE.equals(sudo) ? Boolean.TRUE : null;
    }

    /** Whether the command runs as root of the sandbox. */
    public boolean asRoot() {
        return Boolean.TRUE.equals(sudo);
    }

    /** {@code command} with the sandbox's defaults. */
    public static DetachRequest of(List<String> command) {
        return new DetachRequest(command, null, null, null);
    }
}
