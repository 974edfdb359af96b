package dev.agentkernel.api;

import java.util.List;

/**
 * A code session as listed.
 *
 * @param sessionId   its id
 * @param template    python, node or bash
 * @param flavor      small, medium or large
 * @param cpus        its CPUs
 * @param memoryMb    its memory in MiB
 * @param state       {@code ready} or {@code busy}
 * @param executions  how many executions it ran
 * @param createdAt   when it was created
 * @param lastUsedAt  when it was last used
 * @param ageSeconds  its age
 * @param idleSeconds how long it has been idle (0 while busy)
 * @param volumes     its volumes
 */
public record SessionView(String sessionId, String template, String flavor, int cpus, long memoryMb, String state,
                          long executions, String createdAt, String lastUsedAt, long ageSeconds, long idleSeconds,
                          List<String> volumes) {
    public SessionView {
        volumes = Check.strings(volumes, "volumes");
    }
}
