package dev.agentkernel.cli;

import dev.agentkernel.api.TaskCancellation;
import dev.agentkernel.api.TaskList;
import dev.agentkernel.api.TaskView;
import dev.agentkernel.api.ToolLibraryView;
import dev.agentkernel.api.ToolSearchResult;
import dev.agentkernel.client.Cancellation;
import dev.agentkernel.client.TaskInfo;
import dev.agentkernel.client.ToolCatalog;
import java.util.List;

/**
 * Tasks and tool libraries for {@code --json}: the contract's records ({@code /tasks}, {@code /tools}),
 * so the CLI prints exactly the JSON the daemon speaks (written by {@link dev.agentkernel.api.WireJson}).
 */
final class TaskJson {

    private TaskJson() {
    }

    static TaskView task(TaskInfo t) {
        return new TaskView(t.taskId(), t.status().id(), t.queued(), t.output(), t.error().orElse(null),
                t.exitCode().orElse(null), t.attempts(), t.code().orElse(null), t.template(),
                t.timeout().toMillis() / 1000.0, t.verbose(), t.requiredTools(),
                t.createdAt().map(Object::toString).orElse(null), t.startedAt().map(Object::toString).orElse(null),
                t.finishedAt().map(Object::toString).orElse(null));
    }

    static TaskList tasks(List<TaskInfo> tasks) {
        return new TaskList(tasks.stream().map(TaskJson::task).toList());
    }

    static TaskCancellation cancellation(Cancellation c) {
        return new TaskCancellation(c.cancelled(), c.message(), task(c.task()));
    }

    static ToolSearchResult tools(ToolCatalog catalog) {
        return new ToolSearchResult(catalog.toolsDir().orElse(null), catalog.libraries().stream()
                .map(l -> new ToolLibraryView(l.name(), l.language(), l.description(), l.functions().stream()
                        .map(f -> new ToolLibraryView.Function(f.name(), f.signature(), f.description())).toList()))
                .toList());
    }
}
