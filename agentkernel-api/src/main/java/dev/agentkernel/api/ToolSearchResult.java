package dev.agentkernel.api;

import java.util.List;

/**
 * {@code GET /tools}, MCP {@code search_tools}.
 *
 * @param toolsDir  the tools directory, or null when there is none
 * @param libraries the libraries that match
 */
public record ToolSearchResult(@Nullable String toolsDir, List<ToolLibraryView> libraries) {
    public ToolSearchResult {
        libraries = Check.list(libraries, "libraries");
    }
}
