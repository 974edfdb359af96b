package dev.agentkernel.api;

import java.util.List;

/**
 * A tool library with its functions.
 *
 * @param name        its name (its directory under /tools)
 * @param language    python, node or bash
 * @param description what it is for
 * @param functions   its functions
 */
public record ToolLibraryView(String name, String language, String description, List<Function> functions) {
    public ToolLibraryView {
        functions = Check.optionalList(functions, "functions");
    }

    /**
     * @param name        its name
     * @param signature   its signature
     * @param description what it does
     */
    public record Function(String name, String signature, String description) {
    }
}
