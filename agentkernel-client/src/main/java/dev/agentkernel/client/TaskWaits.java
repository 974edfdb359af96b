package dev.agentkernel.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Waits for tasks longer than one request may ({@code POST /tasks/{id}/wait} blocks at most
 * {@link #MAX_REQUEST} on the daemon): repeated requests until the task ends or the time is up.
 * Package-private.
 */
final class TaskWaits {

    /** The longest wait the daemon accepts in one request. */
    static final Duration MAX_REQUEST = Duration.ofMinutes(10);

    private TaskWaits() {
    }

    /**
     * Waits until the task ends or {@code timeout} has passed, each request through {@code once}.
     *
     * @param once one wait request of at most {@link #MAX_REQUEST}
     */
    static TaskInfo upTo(String taskId, Duration timeout, Once once) {
        Objects.requireNonNull(taskId, "taskId");
        Timeouts.requirePositive(timeout, "timeout");
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        Duration wait = timeout; // the first request asks for the whole wait, exactly
        while (true) {
            boolean last = wait.compareTo(MAX_REQUEST) <= 0;
            TaskInfo task = once.await(taskId, last ? wait : MAX_REQUEST);
            // The request that covered the rest of the wait ends it, even if the daemon answered early.
            if (task.isFinal() || last || deadline - System.nanoTime() <= 0) {
                return task;
            }
            wait = Duration.ofNanos(Math.max(deadline - System.nanoTime(), Duration.ofMillis(1).toNanos()));
        }
    }

    /** Waits until the task ends, however long that takes (its own timeout ends it). */
    static TaskInfo untilEnd(AgentKernel client, String taskId) {
        while (true) {
            TaskInfo task = client.waitForTask(taskId, MAX_REQUEST);
            if (task.isFinal()) {
                return task;
            }
        }
    }

    /** One wait request. */
    @FunctionalInterface
    interface Once {
        TaskInfo await(String taskId, Duration wait);
    }
}
