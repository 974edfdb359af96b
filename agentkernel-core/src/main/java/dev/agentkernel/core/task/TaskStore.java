package dev.agentkernel.core.task;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where task records are kept, so that results outlive the daemon. Thread-safe. */
public interface TaskStore {

    /** Inserts or replaces the record of {@code task.id()}. */
    void save(TaskInfo task);

    /** The task of that id. */
    Optional<TaskInfo> find(String id);

    /** The newest tasks first, at most {@code limit}. */
    List<TaskInfo> list(int limit);

    /**
     * Marks every task that is still {@code running} (queued or started) as failed with
     * {@code reason}, ended at {@code at}: for a daemon that starts after one that stopped
     * while they ran. Returns how many.
     */
    int failUnfinished(String reason, Instant at);

    /**
     * Deletes the tasks that ended before {@code finishedBefore} (never one still running), for
     * retention. Returns how many.
     */
    int pruneFinished(Instant finishedBefore);

    /** A store that keeps nothing beyond this process (for tests and tools). */
    static TaskStore inMemory() {
        return new InMemoryTaskStore();
    }
}
