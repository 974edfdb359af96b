package dev.agentkernel.mcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.core.session.InterpreterTemplate;
import dev.agentkernel.core.task.TaskInfo;
import dev.agentkernel.core.task.TaskManager;
import dev.agentkernel.core.task.TaskStatus;
import dev.agentkernel.mcp.ToolDefinition.Effect;
import dev.agentkernel.model.InvalidRequestException;
import java.time.Duration;
import java.util.List;
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

    private static Schema statusOutput() {
        return Schema.object()
                .string("task_id", "The task's id", true)
                .string("status", "One of " + STATUSES, true)
                .string("output", "The task's standard output (so far, while it runs)", true)
                .nullableString("error", "Why it failed, timed out or was cancelled; null otherwise");
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
                Schema.object()
                        .string("task_id", "Unique task identifier", true)
                        .string("status", "Initial status (always 'running')", true),
                Effect.ADDS,
                args -> {
                    String code = args.requiredString("task_description", "{\"task_description\": \"print(6 * 7)\"}");
                    TaskInfo task = tasks.dispatch(code, InterpreterTemplate.PYTHON, Optional.empty(),
                            args.flag("verbose", false), List.of());
                    ObjectNode data = Results.object();
                    data.put("task_id", task.id());
                    data.put("status", task.status().id());
                    return Results.ok(data);
                });
    }

    private ToolDefinition status() {
        return new ToolDefinition("get_background_task_status", "Get a background task's status",
                "Get the current status of a background task: running, completed, failed, timeout or cancelled, "
                        + "with its output (so far) and error.",
                Schema.object().string("task_id", "Task identifier from dispatch_background_task", true),
                statusOutput(), Effect.READS,
                args -> Results.ok(status(tasks.status(taskId(args)))));
    }

    private ToolDefinition await() {
        return new ToolDefinition("wait_for_background_task", "Wait for a background task",
                "Wait for a background task to complete, at most timeout seconds (default 60, at most "
                        + MAX_WAIT.toSeconds() + "); returns its status then, still 'running' if it did not end in time.",
                Schema.object()
                        .string("task_id", "Task identifier", true)
                        .number("timeout", "Maximum wait time in seconds (default: 60)", 60),
                statusOutput(), Effect.READS,
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
                Schema.object().object("tasks", "Map of task_id to task info", true),
                Effect.READS,
                args -> {
                    ObjectNode data = Results.object();
                    ObjectNode all = data.putObject("tasks");
                    for (TaskInfo t : tasks.list()) {
                        all.set(t.id(), info(t));
                    }
                    return Results.ok(data);
                });
    }

    private ToolDefinition cancel() {
        return new ToolDefinition("cancel_background_task", "Cancel a background task",
                "Cancel a running (or queued) background task: its processes are killed. success says whether "
                        + "this call stopped it; a task that already ended is left as it is.",
                Schema.object().string("task_id", "Task identifier", true),
                Schema.object()
                        .bool("success", "Whether the task was cancelled by this call", true)
                        .string("message", "What happened", true),
                Effect.DESTROYS,
                args -> {
                    TaskManager.Cancellation c = tasks.cancel(taskId(args));
                    ObjectNode data = Results.object();
                    data.put("success", c.cancelled());
                    data.put("message", c.message());
                    return Results.ok(data);
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
                Schema.object()
                        .string("task_id", "The task's id", true)
                        .string("status", "completed, failed, timeout or cancelled", true)
                        .string("output", "The task's standard output", true)
                        .nullableString("error", "Why it failed; null when it completed")
                        .nullableInteger("exit_code", "The exit code of its program, once it exited"),
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
                    ObjectNode data = status(task);
                    data.put("exit_code", task.exitCode().orElse(null));
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
    static ObjectNode status(TaskInfo t) {
        ObjectNode o = Results.object();
        o.put("task_id", t.id());
        o.put("status", t.status().id());
        o.put("output", t.output());
        o.put("error", t.error().orElse(null));
        return o;
    }

    /** Everything about a task, as {@code GET /tasks} shows it. */
    static ObjectNode info(TaskInfo t) {
        ObjectNode o = status(t);
        o.put("queued", t.queued());
        o.put("exit_code", t.exitCode().orElse(null));
        o.put("attempts", t.attempts());
        o.put("template", t.spec().template().id());
        o.put("timeout", t.spec().timeout().toMillis() / 1000.0);
        o.put("verbose", t.spec().verbose());
        ArrayNode tools = o.putArray("required_tools");
        t.spec().requiredTools().forEach(tools::add);
        o.put("created_at", t.createdAt().toString());
        o.put("started_at", t.startedAt().map(Object::toString).orElse(null));
        o.put("finished_at", t.finishedAt().map(Object::toString).orElse(null));
        return o;
    }
}
