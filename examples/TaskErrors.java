import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.NotFoundException;
import dev.agentkernel.client.TaskInfo;
import dev.agentkernel.client.TaskManager;
import dev.agentkernel.client.TaskOptions;
import dev.agentkernel.client.TaskResult;
import java.time.Duration;

/**
 * How tasks end when they do not complete: code that raises (status failed, with its
 * traceback), code that runs past its timeout (status timeout), a task cancelled while it runs
 * (status cancelled, its processes killed); and a one-off executeTask, whose result is the
 * (status, output, error) of a task run to its end. None of these is an exception: only the
 * daemon's refusals are (an unknown task id, say).
 *
 *   examples/run.sh TaskErrors.java
 */
public class TaskErrors {
    public static void main(String[] args) {
        try (AgentKernel client = AgentKernel.create(); TaskManager manager = client.taskManager()) {
            String id = manager.dispatchTask("""
                    # This will fail
                    division_by_zero = 1 / 0
                    """);
            TaskInfo result = manager.waitForTask(id);
            switch (result.status()) {
                case FAILED -> System.out.println("Task failed: " + summary(result.error().orElse("")));
                case TIMEOUT -> {
                    System.out.println("Task timed out");
                    manager.cancelTask(id);
                }
                default -> System.out.println("Task completed: " + result.output());
            }
            System.out.println("  the whole error:");
            result.error().ifPresent(e -> e.lines().forEach(line -> System.out.println("  | " + line)));

            String spin = manager.dispatchTask("while True:\n    pass", TaskOptions.defaults().withTimeout(Duration.ofSeconds(2)));
            TaskInfo spun = manager.waitForTask(spin);
            System.out.println("Task " + spun.status().id() + ": " + spun.error().orElse(""));

            String sleeper = manager.dispatchTask("import time\nprint('started', flush=True)\ntime.sleep(600)");
            TaskInfo running = manager.waitForTask(sleeper, Duration.ofSeconds(2));
            System.out.println("after 2 s: " + running.status().id() + (running.queued() ? " (queued)" : ""));
            boolean cancelled = manager.cancelTask(sleeper);
            TaskInfo stopped = manager.getTaskStatus(sleeper);
            System.out.println("cancelled: " + cancelled + ", now " + stopped.status().id() + ": " + stopped.error().orElse(""));
            System.out.println("cancelled again: " + manager.cancelTask(sleeper));

            TaskResult oneOff = client.executeTask("print(sum(range(10)))");
            System.out.println("executeTask: " + oneOff.status().id() + ", output " + oneOff.output().strip()
                    + ", error " + oneOff.error().orElse("none"));

            try {
                manager.getTaskStatus("task-0000000000000000");
            } catch (NotFoundException e) {
                System.out.println("unknown task: " + e.getMessage());
            }
        }
    }

    /** The line of a traceback that names the exception, e.g. {@code ZeroDivisionError: division by zero}. */
    static String summary(String error) {
        return error.lines().filter(line -> !line.isBlank() && !line.startsWith(" ") && !line.startsWith("("))
                .reduce((first, second) -> second).orElse(error);
    }
}
