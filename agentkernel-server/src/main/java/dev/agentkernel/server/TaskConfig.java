package dev.agentkernel.server;

import dev.agentkernel.core.task.TaskSettings;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How the daemon runs background tasks.
 *
 * @param settings  workers, timeouts, retries
 * @param workspace the host directory mounted at {@code /workspace} in every task (empty: {@code <state>/workspace})
 * @param toolsDir  a host directory of tool libraries mounted read-only at {@code /tools} (empty: none)
 */
public record TaskConfig(TaskSettings settings, Optional<Path> workspace, Optional<Path> toolsDir) {

    /** Validates. */
    public TaskConfig {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(toolsDir, "toolsDir");
    }

    /** Default settings, the workspace in the state directory, no tools. */
    public static TaskConfig defaults() {
        return new TaskConfig(TaskSettings.defaults(), Optional.empty(), Optional.empty());
    }

    /** A copy with other settings. */
    public TaskConfig withSettings(TaskSettings value) {
        return new TaskConfig(value, workspace, toolsDir);
    }

    /** A copy with a workspace directory. */
    public TaskConfig withWorkspace(Path value) {
        return new TaskConfig(settings, Optional.of(value), toolsDir);
    }

    /** A copy with a tools directory. */
    public TaskConfig withToolsDir(Path value) {
        return new TaskConfig(settings, workspace, Optional.of(value));
    }
}
