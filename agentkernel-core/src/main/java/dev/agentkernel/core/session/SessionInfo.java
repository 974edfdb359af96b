package dev.agentkernel.core.session;

import java.time.Instant;
import java.util.List;

/**
 * A code session as listed.
 *
 * @param sessionId  its id
 * @param template   its interpreter
 * @param flavor     its size
 * @param busy       whether code runs (or waits to run) in it now
 * @param executions executions so far
 * @param createdAt  when it was created
 * @param lastUsedAt when an execution last started or ended in it
 * @param volumes    its volumes, as {@code host:sandbox[:ro]}
 */
public record SessionInfo(String sessionId, InterpreterTemplate template, Flavor flavor, boolean busy, long executions,
                          Instant createdAt, Instant lastUsedAt, List<String> volumes) {

    /** Copies. */
    public SessionInfo {
        volumes = List.copyOf(volumes);
    }
}
