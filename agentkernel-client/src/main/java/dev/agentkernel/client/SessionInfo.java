package dev.agentkernel.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A code session as the server describes it ({@link AgentKernel#listSessions()},
 * {@link AgentKernel#getSession(String)}). Values a server does not report are empty, 0 or
 * zero durations.
 *
 * @param sessionId  its id, e.g. {@code ses-3f9c2a61d0b84e7f}
 * @param template   its interpreter: {@code python}, {@code node} or {@code bash}
 * @param flavor     its size: {@code small}, {@code medium} or {@code large}
 * @param cpus       its CPU limit
 * @param memoryMb   its memory limit in MiB
 * @param state      {@code ready} or {@code busy} (running code; see {@link #busy()})
 * @param executions how many executions it has run
 * @param createdAt  when it was created
 * @param lastUsedAt when it last ran code
 * @param age        how long it has existed
 * @param idle       how long it has not run code; at the server's session timeout it is removed
 * @param volumes    its host directories, each {@code host:sandbox[:ro]}
 */
public record SessionInfo(String sessionId, String template, String flavor, double cpus, long memoryMb, String state,
                          long executions, Optional<Instant> createdAt, Optional<Instant> lastUsedAt, Duration age,
                          Duration idle, List<String> volumes) {

    /** Checks for nulls and copies. */
    public SessionInfo {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(flavor, "flavor");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastUsedAt, "lastUsedAt");
        Objects.requireNonNull(age, "age");
        Objects.requireNonNull(idle, "idle");
        volumes = List.copyOf(volumes);
    }

    /**
     * Whether the session is running code now (more calls wait their turn).
     *
     * @return whether {@link #state()} is {@code busy}
     */
    public boolean busy() {
        return "busy".equals(state);
    }
}
