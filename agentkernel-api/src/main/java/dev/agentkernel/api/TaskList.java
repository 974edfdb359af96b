package dev.agentkernel.api;

import java.util.List;

/**
 * {@code GET /tasks}: newest first.
 *
 * @param tasks the tasks
 */
public record TaskList(List<TaskView> tasks) {
    public TaskList {
        tasks = Check.list(tasks, "tasks");
    }
}
