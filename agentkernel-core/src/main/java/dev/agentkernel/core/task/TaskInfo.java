package dev.agentkernel.core.task;

import java.time.Instant;
import java.util.Optional;

/**
 * A task as recorded: what it runs, where it is, and what it gave so far.
 *
 * @param id         its id, {@code task-<hex>}
 * @param spec       what it runs
 * @param status     where it is
 * @param output     its standard output so far (all of it once it ended; the end only if it was very long)
 * @param error      why it failed, timed out or was cancelled, when it did
 * @param exitCode   the exit code of its program, once it exited
 * @param attempts   how many times it was started (more than one after infrastructure failures)
 * @param createdAt  when it was dispatched
 * @param startedAt  when a worker started it (empty while it is queued)
 * @param finishedAt when it ended
 */
public record TaskInfo(String id, TaskSpec spec, TaskStatus status, String output, Optional<String> error,
                       Optional<Integer> exitCode, int attempts, Instant createdAt, Optional<Instant> startedAt,
                       Optional<Instant> finishedAt) {

    /** Whether it waits for a worker. */
    public boolean queued() {
        return status == TaskStatus.RUNNING && startedAt.isEmpty();
    }
}
