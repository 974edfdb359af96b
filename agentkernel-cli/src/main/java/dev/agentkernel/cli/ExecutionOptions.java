package dev.agentkernel.cli;

import dev.agentkernel.core.config.ConfigLoader;
import dev.agentkernel.core.config.ProjectConfig;
import dev.agentkernel.core.task.TaskSettings;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.server.TaskConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;

/**
 * How {@code serve} runs background tasks: the {@code [execution]} section of
 * {@code agentkernel.toml} ({@code --config}, or the one in the working directory), overridden
 * by {@code AGENTKERNEL_WORKSPACE} / {@code AGENTKERNEL_TOOLS_DIR}, overridden by
 * {@code --workspace} / {@code --tools-dir}. Package-private.
 */
final class ExecutionOptions {
    private ExecutionOptions() {
    }

    static TaskConfig tasks(CommandLine args, Map<String, String> env, Path cwd) {
        ProjectConfig.ExecutionSection file = config(args, cwd).execution();
        TaskSettings settings = TaskSettings.defaults();
        if (file.maxWorkers().isPresent()) {
            settings = settings.withMaxWorkers(file.maxWorkers().getAsInt());
        }
        if (file.maxRetries().isPresent()) {
            settings = settings.withMaxRetries(file.maxRetries().getAsInt());
        }
        if (file.timeout().isPresent()) {
            settings = settings.withDefaultTimeout(file.timeout().get());
        }
        TaskConfig config = TaskConfig.defaults().withSettings(settings);
        Optional<Path> workspace = first(args.getOptionValue("workspace"), env.get("AGENTKERNEL_WORKSPACE"), cwd)
                .or(file::workspaceDir);
        Optional<Path> tools = first(args.getOptionValue("tools-dir"), env.get("AGENTKERNEL_TOOLS_DIR"), cwd)
                .or(file::toolsDir);
        if (workspace.isPresent()) {
            config = config.withWorkspace(directory(workspace.get(), "workspace", true));
        }
        if (tools.isPresent()) {
            config = config.withToolsDir(directory(tools.get(), "tools directory", false));
        }
        return config;
    }

    /** The {@code --config} file, or the project's {@code agentkernel.toml}, or nothing set. */
    static ProjectConfig config(CommandLine args, Path cwd) {
        String named = args.getOptionValue("config");
        if (named != null) {
            return ConfigLoader.load(cwd.resolve(named));
        }
        return ConfigLoader.findInProject(cwd).map(ConfigLoader::load).orElse(ProjectConfig.empty());
    }

    private static Optional<Path> first(String flag, String env, Path cwd) {
        String value = flag != null ? flag : env;
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(cwd.resolve(value.trim()).normalize());
    }

    private static Path directory(Path dir, String what, boolean create) {
        try {
            if (create) {
                Files.createDirectories(dir);
            }
            if (!Files.isDirectory(dir)) {
                throw new InvalidRequestException("the " + what + " " + dir + " is not a directory");
            }
            return dir.toRealPath();
        } catch (java.io.IOException e) {
            throw new InvalidRequestException("the " + what + " " + dir + " cannot be used: " + e.getMessage());
        }
    }
}
