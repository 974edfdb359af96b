package dev.agentkernel.client;

import java.time.Duration;
import java.util.List;

/**
 * Background tasks in the "fire and collect" style: dispatch code, do other work, collect the
 * results. Created by {@link AgentKernel#taskManager()}; the tasks run in the daemon, each in its
 * own sandbox with the shared {@code /workspace}, a few at once (the daemon's workers; more wait
 * in a queue), and outlive the manager, the client and even the daemon.
 *
 * {@snippet :
 * try (AgentKernel client = AgentKernel.create(); TaskManager manager = client.taskManager()) {
 *     String a = manager.dispatchTask("print(sum(range(10**6)))");
 *     String b = manager.dispatchTask("print(max(range(10**6)))");
 *     // ... other work ...
 *     TaskInfo ra = manager.waitForTask(a, Duration.ofSeconds(60));
 *     TaskInfo rb = manager.waitForTask(b);
 *     if (ra.completed()) {
 *         System.out.print(ra.output()); // 499999500000
 *     }
 *     manager.shutdown(true); // wait for what it dispatched; then no more dispatches
 * } // close(): cancels the tasks it dispatched that still run
 * }
 *
 * <p>The manager tracks the tasks it dispatched: {@link #listTasks()} lists them,
 * {@link #shutdown(boolean)} waits for or cancels them, {@link #close()} cancels those still
 * running. The other methods take any task id. The number of tasks that run at once is the
 * daemon's ({@code [execution]} of {@code agentkernel.toml}), not the manager's; the default
 * timeout of its tasks is its {@link TaskOptions}' ({@link AgentKernel#taskManager(TaskOptions)}).
 * Thread-safe.
 */
public interface TaskManager extends AutoCloseable {

    /**
     * Dispatches code with the manager's options ({@code POST /tasks}) and returns at once.
     *
     * @param code the code, e.g. {@code print(6 * 7)}; not blank
     * @return the task's id
     * @throws IllegalStateException if the manager is shut down
     * @throws AgentKernelException  as for {@link AgentKernel#dispatchTask(String, TaskOptions)}
     */
    String dispatchTask(String code);

    /**
     * Dispatches code with its own options and returns at once.
     *
     * @param code    the code; not blank
     * @param options its template, timeout, verbosity and tools (instead of the manager's)
     * @return the task's id
     * @throws IllegalStateException if the manager is shut down
     * @throws AgentKernelException  as for {@link AgentKernel#dispatchTask(String, TaskOptions)}
     */
    String dispatchTask(String code, TaskOptions options);

    /**
     * The task as it is now, without waiting ({@code GET /tasks/{id}}).
     *
     * @param taskId its id
     * @return its status, output so far and error
     * @throws NotFoundException if the daemon has no such task
     */
    TaskInfo getTaskStatus(String taskId);

    /**
     * Waits until the task ends, however long that takes (the task's own timeout bounds it).
     *
     * @param taskId its id
     * @return the task, ended ({@link TaskInfo#isFinal()})
     * @throws NotFoundException   if the daemon has no such task
     * @throws ConnectionException if the daemon stops answering, or the thread is interrupted (the task goes on)
     */
    TaskInfo waitForTask(String taskId);

    /**
     * Waits until the task ends or {@code timeout} has passed, whichever comes first. Waits of
     * more than the daemon's 10 minutes per request are several requests.
     *
     * @param taskId  its id
     * @param timeout the longest wait, positive
     * @return the task as it is then: check {@link TaskInfo#isFinal()}; a task still running is not an error
     * @throws NotFoundException   if the daemon has no such task
     * @throws ConnectionException if the daemon stops answering, or the thread is interrupted
     */
    TaskInfo waitForTask(String taskId, Duration timeout);

    /**
     * The tasks this manager dispatched, newest first, as the daemon describes them now. Every
     * task of the daemon: {@link AgentKernel#listTasks()}.
     *
     * @return the tasks (those the daemon no longer keeps are left out)
     * @throws AgentKernelException as for {@link AgentKernel#listTasks()}
     */
    List<TaskInfo> listTasks();

    /**
     * Cancels a task, killing its processes ({@code POST /tasks/{id}/cancel}).
     *
     * @param taskId its id
     * @return whether this call cancelled it: false if it had already ended
     * @throws NotFoundException if the daemon has no such task
     */
    boolean cancelTask(String taskId);

    /**
     * Stops the manager: later dispatches throw {@link IllegalStateException}. With {@code wait},
     * waits until every task it dispatched has ended; otherwise cancels those still running.
     * Calling it again does the same for the tasks still running; {@link #close()} afterwards
     * does nothing more than that.
     *
     * @param wait whether to wait for the tasks (else cancel them)
     * @throws AgentKernelException if the daemon cannot be reached; the manager is shut down anyway
     *                              (the first failure is thrown after every task was tried)
     */
    void shutdown(boolean wait);

    /**
     * Whether {@link #shutdown(boolean)} or {@link #close()} was called.
     *
     * @return whether dispatches are refused
     */
    boolean isShutdown();

    /**
     * {@code shutdown(false)}: refuses further dispatches and cancels the tasks this manager
     * dispatched that still run, so that a {@code try} block leaves nothing running behind it,
     * also when it throws. To keep the results, wait for the tasks in the block (or call
     * {@code shutdown(true)} there). Idempotent for tasks already ended.
     *
     * @throws AgentKernelException if a cancellation fails (added as suppressed to the block's exception, if any)
     */
    @Override
    void close();
}
