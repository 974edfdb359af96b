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
 * @param fromSession the session whose files it started with, if made from one
 * @param note        what the answer should make clear (for a session made from another: only files were copied)
 */
public record SessionView(String sessionId, String template, String flavor, int cpus, long memoryMb, String state,
                          long executions, String createdAt, String lastUsedAt, long ageSeconds, long idleSeconds,
                          List<String> volumes,
                          @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                          String fromSession,
                          @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                          String note) {
    public SessionView {
        volumes = Check.strings(volumes, "volumes");
    }

    /** A session as listed, made from nothing. */
    public SessionView(String sessionId, String template, String flavor, int cpus, long memoryMb, String state,
                       long executions, String createdAt, String lastUsedAt, long ageSeconds, long idleSeconds,
                       List<String> volumes) {
        this(sessionId, template, flavor, cpus, memoryMb, state, executions, createdAt, lastUsedAt, ageSeconds,
                idleSeconds, volumes, null, null);
    }

    /** This view of a session made from {@code source}'s files, saying what was and was not copied. */
    public SessionView copiedFrom(String source) {
        return new SessionView(sessionId, template, flavor, cpus, memoryMb, state, executions, createdAt, lastUsedAt,
                ageSeconds, idleSeconds, volumes, source, "the files of /workspace were copied from session " + source
                + "; its variables, imports and running code were not: they are in its interpreter's memory, which "
                + "cannot be copied without checkpointing the process, and these hosts cannot checkpoint (no CRIU)");
    }
}
