package dev.agentkernel.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/** {@link TaskManager} over a client: it tracks the ids it dispatched. Package-private. */
final class RemoteTaskManager implements TaskManager {

    private final AgentKernel client;
    private final TaskOptions defaults;
    /** Read: a dispatch in flight; write: shutting down (waits for dispatches in flight). */
    private final ReentrantReadWriteLock state = new ReentrantReadWriteLock();
    /** The ids dispatched, oldest first. Guarded by itself. */
    private final Set<String> dispatched = new LinkedHashSet<>();
    private volatile boolean shutdown;

    RemoteTaskManager(AgentKernel client, TaskOptions defaults) {
        this.client = Objects.requireNonNull(client, "client");
        this.defaults = Objects.requireNonNull(defaults, "defaults");
    }

    @Override
    public String dispatchTask(String code) {
        return dispatchTask(code, defaults);
    }

    @Override
    public String dispatchTask(String code, TaskOptions options) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(options, "options");
        state.readLock().lock();
        try {
            if (shutdown) {
                throw new IllegalStateException("the task manager is shut down; create a new one with "
                        + "client.taskManager()");
            }
            String id = client.dispatchTask(code, options).taskId();
            synchronized (dispatched) {
                dispatched.add(id);
            }
            return id;
        } finally {
            state.readLock().unlock();
        }
    }

    @Override
    public TaskInfo getTaskStatus(String taskId) {
        return client.getTask(taskId);
    }

    @Override
    public TaskInfo waitForTask(String taskId) {
        return TaskWaits.untilEnd(client, taskId);
    }

    @Override
    public TaskInfo waitForTask(String taskId, Duration timeout) {
        return client.waitForTask(taskId, timeout);
    }

    @Override
    public List<TaskInfo> listTasks() {
        Set<String> mine = Set.copyOf(ids());
        return client.listTasks().stream().filter(t -> mine.contains(t.taskId())).toList();
    }

    @Override
    public boolean cancelTask(String taskId) {
        return client.cancelTask(taskId).cancelled();
    }

    @Override
    public void shutdown(boolean wait) {
        state.writeLock().lock();
        try {
            shutdown = true;
        } finally {
            state.writeLock().unlock();
        }
        AgentKernelException first = null;
        for (String id : ids()) {
            try {
                if (wait) {
                    TaskWaits.untilEnd(client, id);
                } else {
                    client.cancelTask(id); // a task that has ended stays as it was
                }
            } catch (NotFoundException gone) {
                // no longer kept by the daemon: nothing to wait for or cancel
            } catch (AgentKernelException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public void close() {
        shutdown(false);
    }

    private List<String> ids() {
        synchronized (dispatched) {
            return new ArrayList<>(dispatched);
        }
    }

    @Override
    public String toString() {
        return "TaskManager[" + ids().size() + " tasks" + (shutdown ? ", shut down" : "") + "]";
    }
}
