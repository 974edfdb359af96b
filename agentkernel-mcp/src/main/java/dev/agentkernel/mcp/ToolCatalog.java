package dev.agentkernel.mcp;

import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import java.util.ArrayList;
import java.util.List;

/**
 * Every tool AgentKernel serves over MCP, in the order clients list them:
 * the five background-task tools of the product document ({@code dispatch_background_task},
 * {@code get_background_task_status}, {@code wait_for_background_task},
 * {@code list_background_tasks}, {@code cancel_background_task}) and {@code execute_task};
 * code sessions ({@code execute_code}, {@code list_sessions}, {@code stop_session}) and tool
 * discovery ({@code search_tools}); sandboxes ({@code sandbox_run}, {@code sandbox_create},
 * {@code sandbox_exec}, {@code sandbox_list}, {@code sandbox_remove}, {@code sandbox_start},
 * {@code sandbox_stop}, {@code sandbox_file_read}, {@code sandbox_file_write}); images ({@code image_pull},
 * {@code image_list}); background processes of sandboxes ({@code background_start}, {@code background_list},
 * {@code background_logs}, {@code background_kill}); pausing sandboxes ({@code sandbox_pause}, {@code sandbox_resume});
 * snapshots and forks ({@code sandbox_snapshot}, {@code snapshot_list}, {@code snapshot_restore}, {@code snapshot_delete},
 * {@code sandbox_fork}).
 */
public final class ToolCatalog {

    /** The tools' names, in order. */
    public static final List<String> NAMES = List.of(
            "dispatch_background_task", "get_background_task_status", "wait_for_background_task",
            "list_background_tasks", "cancel_background_task", "execute_task",
            "execute_code", "list_sessions", "stop_session", "search_tools",
            "sandbox_run", "sandbox_create", "sandbox_exec", "sandbox_list", "sandbox_remove", "sandbox_start",
            "sandbox_stop", "sandbox_file_read", "sandbox_file_write", "image_pull", "image_list",
            // background processes of persistent sandboxes (issue 15, point 3)
            "background_start", "background_list", "background_logs", "background_kill",
            // ---- pause and resume (issue 15) ----
            "sandbox_pause", "sandbox_resume",
            // snapshots and forks of persistent sandboxes (issue 15)
            "sandbox_snapshot", "snapshot_list", "snapshot_restore", "snapshot_delete", "sandbox_fork");

    private ToolCatalog() {
    }

    /** The tools over {@code services}, ready for an SDK server. */
    public static List<SyncToolSpecification> specifications(McpServices services) {
        return definitions(services).stream().map(ToolDefinition::specification).toList();
    }

    static List<ToolDefinition> definitions(McpServices services) {
        List<ToolDefinition> all = new ArrayList<>();
        all.addAll(new TaskTools(services.tasks()).definitions());
        all.addAll(new SessionTools(services.sessions(), services.tools(), services.clock()).definitions());
        all.addAll(new SandboxTools(services.runs(), services.sandboxes(), services.snapshots(), services.maxFileBytes())
                .definitions());
        all.addAll(new ImageTools(services.images()).definitions());
        all.addAll(new BackgroundTools(services.sandboxes()).definitions());
        all.addAll(new PauseTools(services.sandboxes()).definitions()); // pause and resume (issue 15)
        all.addAll(new SnapshotTools(services.snapshots()).definitions());
        List<String> names = all.stream().map(ToolDefinition::name).toList();
        if (!names.equals(NAMES)) {
            throw new IllegalStateException("the tool catalog is out of order: " + names);
        }
        return List.copyOf(all);
    }
}
