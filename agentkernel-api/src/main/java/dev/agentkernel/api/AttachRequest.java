package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code POST /sandboxes/NAME/attach}: an interactive session on a pseudo-terminal.
 *
 * @param command the argv (default: a login shell)
 * @param env     environment variables as {@code KEY=VALUE}
 * @param workdir the working directory, an absolute path
 * @param rows    the window's rows, 1 to 1000 (default 24)
 * @param cols    the window's columns, 1 to 1000 (default 80)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record AttachRequest(List<String> command, List<String> env, String workdir, Integer rows, Integer cols) {

    public AttachRequest {
        command = Check.strings(command, "command");
        env = Check.strings(env, "env");
        workdir = Check.optionalText(workdir, "workdir");
        rows = ResizeRequest.size(rows == null ? Integer.valueOf(24) : rows, "rows");
        cols = ResizeRequest.size(cols == null ? Integer.valueOf(80) : cols, "cols");
    }
}
