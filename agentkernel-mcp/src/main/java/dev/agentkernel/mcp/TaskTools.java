package dev.agentkernel.mcp;

import dev.agentkernel.api.TaskCancelled;
import dev.agentkernel.api.TaskDispatched;
import dev.agentkernel.api.TaskMap;
import dev.agentkernel.api.TaskState;
import dev.agentkernel.api.TaskView;
import dev.agentkernel.core.wire.WireViews;
import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.core.task.TaskInfo;
import dev.agentkernel.core.task.TaskManager;
import dev.agentkernel.core.task.TaskStatus;
import dev.agentkernel.mcp.ToolDefinition.Effect;
import dev.agentkernel.model.InvalidRequestException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The five background-task tools of the product document (names, parameters and results exactly
 * as it gives them) and {@code execute_task}, which runs a task to its end. Package-private.
 */
final class TaskTools {

    /** {@code wait_for_background_task}'s default and longest wait. */
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final String STATUSES = "running, completed, failed, timeout or cancelled";

    private final TaskManager tasks;

    TaskTools(TaskManager tasks) {
        this.tasks = tasks;
    }

    List<ToolDefinition> definitions() {
        return List.of(dispatch(), status(), await(), list(), cancel(), execute());
    }

    private ToolDefinition dispatch() {
        return new ToolDefinition("dispatch_background_task", "Dispatch a background task",
                "Dispatch a task to run asynchronously in the background. The task is Python code run in a fresh "
                        + "sandbox with the shared workspace at /workspace and the tool libraries at /tools; "
                        + "it returns at once with the task's id. Follow it with get_background_task_status or "
                        + "wait_for_background_task.",
                Schema.object()
                        .string("task_description", "Task to execute: the Python code to run, e.g. "
                                + "\"print(sum(range(10)))\"", true)
                        .flag("verbose", "Enable verbose output (default: false)", false),
                TaskDispatched.class,
                Effect.ADDS,
                args -> {
                    String code = args.requiredString("task_description", "{\"task_description\": \"print(6 * 7)\"}");
                    TaskInfo task = tasks.dispatch(code, InterpreterTemplate.PYTHON, Optional.empty(),
                            args.flag("verbose", false), List.of());
                    return Results.ok(new TaskDispatched(task.id(), task.status().id()));
                });
    }

    private ToolDefinition status() {
        return new ToolDefinition("get_background_task_status", "Get a background task's status",
                "Get the current status of a background task: running, completed, failed, timeout or cancelled, "
                        + "with its output (so far) and error.",
                Schema.object().string("task_id", "Task identifier from dispatch_background_task", true),
                TaskState.class, Effect.READS,
                args -> Results.ok(status(tasks.status(taskId(args)))));
    }

    private ToolDefinition await() {
        return new ToolDefinition("wait_for_background_task", "Wait for a background task",
                "Wait for a background task to complete, at most timeout seconds (default 60, at most "
                        + MAX_WAIT.toSeconds() + "); returns its status then, still 'running' if it did not end in time.",
                Schema.object()
                        .string("task_id", "Task identifier", true)
                        .number("timeout", "Maximum wait time in seconds (default: 60)", 60),
                TaskState.class, Effect.READS,
                args -> {
                    String id = taskId(args);
                    Duration wait = args.wait("timeout", DEFAULT_WAIT, MAX_WAIT);
                    return Results.ok(status(tasks.await(id, wait)));
                });
    }

    private ToolDefinition list() {
        return new ToolDefinition("list_background_tasks", "List background tasks",
                "List all tracked background tasks (newest first): a map of task id to the task's status, output, "
                        + "error, exit code, timestamps and settings.",
                Schema.object(),
                TaskMap.class,
                Effect.READS,
                args -> {
                    Map<String, TaskView> all = new LinkedHashMap<>();
                    for (TaskInfo t : tasks.list()) {
                        all.put(t.id(), WireViews.task(t));
                    }
                    return Results.ok(new TaskMap(all));
                });
    }

    private ToolDefinition cancel() {
        return new ToolDefinition("cancel_background_task", "Cancel a background task",
                "Cancel a running (or queued) background task: its processes are killed. success says whether "
                        + "this call stopped it; a task that already ended is left as it is.",
                Schema.object().string("task_id", "Task identifier", true),
                TaskCancelled.class,
                Effect.DESTROYS,
                args -> {
                    TaskManager.Cancellation c = tasks.cancel(taskId(args));
                    return Results.ok(new TaskCancelled(c.cancelled(), c.message()));
                });
    }

    private ToolDefinition execute() {
        return new ToolDefinition("execute_task", "Execute a task",
                "Run a task to its end in a fresh sandbox and return its status, output and error: code "
                        + "(Python by default) with the shared workspace at /workspace and the tool libraries at /tools "
                        + "(see search_tools). A task that fails (an exception, a non-zero exit, its timeout) is an "
                        + "error result with its output. For long work, use dispatch_background_task instead.",
                Schema.object()
                        .string("task_description", "The code to run, e.g. \"print(sum(range(10)))\"", true)
                        .choice("template", "The language: python (default), node or bash",
                                List.of("python", "node", "bash"), "python")
                        .number("timeout", "Time limit in seconds (default: the daemon's task timeout)", false)
                        .raw("required_tools", java.util.Map.of(
                                "type", List.of("array", "object"),
                                "description", "Tool libraries the task uses: a list of library names, or an object "
                                        + "of library name to function names, e.g. {\"finance\": [\"get_stock_data\"]}"),
                                false),
                TaskState.class,
                Effect.ADDS,
                args -> {
                    String code = args.requiredString("task_description",
                            "{\"task_description\": \"print(6 * 7)\", \"template\": \"python\"}");
                    InterpreterTemplate template = template(args);
                    Optional<Duration> timeout = args.seconds("timeout", tasks.settings().maxTimeout());
                    List<String> required = args.libraryNames("required_tools");
                    TaskInfo task = tasks.dispatch(code, template, timeout, false, required);
                    try {
                        while (!task.status().isFinal()) {
                            task = tasks.await(task.id(), Duration.ofMinutes(1));
                        }
                    } catch (InterruptedException e) {
                        tasks.cancel(task.id());
                        throw e;
                    }
                    TaskState data = TaskState.withExitCode(WireViews.task(task));
                    if (task.status() != TaskStatus.COMPLETED) {
                        return Results.failed("task " + task.id() + " " + task.status().id()
                                + task.error().map(e -> ": " + e).orElse(""), data);
                    }
                    return Results.ok(data);
                });
    }

    private static InterpreterTemplate template(Arguments args) {
        return args.optionalString("template").map(t -> {
            try {
                return InterpreterTemplate.fromName(t);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(e.getMessage());
            }
        }).orElse(InterpreterTemplate.PYTHON);
    }

    private static String taskId(Arguments args) {
        return args.requiredString("task_id", "{\"task_id\": \"task-3f9c2a61d0b84e7f\"} (from dispatch_background_task)");
    }

    /** {@code {task_id, status, output, error}}, as the product document gives it. */
    static TaskState status(TaskInfo t) {
        return TaskState.of(WireViews.task(t));
    }
}
