package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A background process of a sandbox ({@code /sandboxes/NAME/exec/detach} and {@code /exec/detached},
 * the MCP background-process tools), the published clients' {@code DetachedCommand}.
 *
 * @param id        its id within the sandbox
 * @param sandbox   the sandbox it runs in
 * @param command   its argv
 * @param pid       its process id inside the sandbox (0 if it never started)
 * @param status    {@code running}; {@code completed} (exited with 0); {@code failed} (exited with another
 *                  code, was killed, or its sandbox stopped)
 * @param exitCode  its exit code once ended (128 + the signal when a signal ended it), else null
 * @param signal    the signal that ended it, if one did
 * @param startedAt when it started (ISO-8601)
 * @param endedAt   when it ended, if it has
 * @param reason    how it ended when not by itself (killed on request, its sandbox stopped); absent otherwise
 */
public record DetachedCommand(String id, String sandbox, List<String> command, long pid, String status,
                              @Nullable Integer exitCode,
                              @JsonInclude(JsonInclude.Include.NON_NULL) Integer signal, String startedAt,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String endedAt,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {
    public DetachedCommand {
        command = Check.strings(command, "command");
    }

    /** Whether it still runs. */
    public boolean running() {
        return "running".equals(status);
    }
}
