package dev.agentkernel.mcp;

import dev.agentkernel.core.run.RunService;
import dev.agentkernel.core.sandbox.SandboxManager;
import dev.agentkernel.core.session.SessionManager;
import dev.agentkernel.core.task.TaskManager;
import dev.agentkernel.core.tools.ToolLibraries;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.core.snapshot.SnapshotService;
import java.time.Clock;
import java.util.Objects;

/**
 * The services the MCP tools drive, all in this process.
 *
 * @param runs         one command in a fresh sandbox ({@code sandbox_run})
 * @param sandboxes    persistent sandboxes and their files
 * @param sessions     code sessions ({@code execute_code}, {@code list_sessions}, {@code stop_session})
 * @param tasks        background tasks ({@code execute_task} and the five task tools)
 * @param tools        tool libraries ({@code search_tools})
 * @param images       the image store ({@code image_pull}, {@code image_list})
 * @param maxFileBytes largest file {@code sandbox_file_read} and {@code sandbox_file_write} move
 * @param clock        for ages and idle times
 * @param snapshots    snapshots and forks of persistent sandboxes ({@code sandbox_snapshot}, {@code snapshot_list},
 *                     {@code snapshot_restore}, {@code snapshot_delete}, {@code sandbox_fork}, {@code sandbox_create}'s
 *                     {@code snapshot})
 */
public record McpServices(RunService runs, SandboxManager sandboxes, SessionManager sessions, TaskManager tasks,
                          ToolLibraries tools, ImageService images, long maxFileBytes, Clock clock,
                          SnapshotService snapshots) {
    /** Validates. */
    public McpServices {
        Objects.requireNonNull(runs, "runs");
        Objects.requireNonNull(sandboxes, "sandboxes");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(snapshots, "snapshots");
        if (maxFileBytes < 1) {
            throw new IllegalArgumentException("maxFileBytes must be positive, got " + maxFileBytes);
        }
    }
}
