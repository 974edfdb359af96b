package dev.agentkernel.client;

import java.time.Duration;
import java.util.List;

/** The background tasks of a client ({@link AgentKernel#tasks()}): one verb per action. */
public final class Tasks {

    private final AgentKernel client;

    Tasks(AgentKernel client) {
        this.client = client;
    }

    /**
     * Dispatches a task.
     *
     * @param code    the code
     * @param options template, timeout, required tools
     * @return the task, queued or running
     */
    public TaskInfo dispatch(String code, TaskOptions options) {
        return client.dispatchTask(code, options);
    }

    /**
     * Looks one up.
     *
     * @param id the task
     * @return it now
     */
    public TaskInfo get(String id) {
        return client.getTask(id);
    }

    /**
     * Waits for a task to end.
     *
     * @param id      the task
     * @param timeout the longest wait
     * @return it when it ended or the wait did
     */
    public TaskInfo await(String id, Duration timeout) {
        return client.waitForTask(id, timeout);
    }

    /**
     * Runs a task to its end.
     *
     * @param code    the code
     * @param options template, timeout, required tools
     * @return its result, once it ended
     */
    public TaskResult run(String code, TaskOptions options) {
        return client.executeTask(code, options);
    }

    /**
     * Lists them.
     *
     * @return every task, newest first
     */
    public List<TaskInfo> list() {
        return client.listTasks();
    }

    /**
     * Cancels a task.
     *
     * @param id the task
     * @return whether this call stopped it
     */
    public Cancellation cancel(String id) {
        return client.cancelTask(id);
    }
}
