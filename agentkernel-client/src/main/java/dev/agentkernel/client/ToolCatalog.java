package dev.agentkernel.client;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The tool libraries the daemon offers to tasks ({@link AgentKernel#searchTools}).
 *
 * @param toolsDir  the daemon's tools directory on its host, or empty when it has none (then no
 *                  task can require tools; start the daemon with {@code --tools-dir DIR})
 * @param libraries the libraries that match the query (all of them without one), by name
 */
public record ToolCatalog(Optional<String> toolsDir, List<ToolLibrary> libraries) {

    /** Checks for nulls and copies. */
    public ToolCatalog {
        Objects.requireNonNull(toolsDir, "toolsDir");
        libraries = List.copyOf(libraries);
    }
}
