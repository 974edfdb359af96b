package dev.agentkernel.api;

import java.util.List;

/**
 * The MCP {@code background_list} result.
 *
 * @param sandbox   the sandbox
 * @param processes its background processes, oldest first
 */
public record DetachedList(String sandbox, List<DetachedCommand> processes) {
    public DetachedList {
        processes = Check.list(processes, "processes");
    }
}
