package dev.agentkernel.client;

import java.util.List;
import java.util.Objects;

/**
 * A tool library of the daemon's tools directory: a Python or JavaScript module that tasks may
 * import from {@code /tools} ({@link TaskOptions#withRequiredTool}).
 *
 * @param name        its name, as {@link TaskOptions#requiredTools()} gives it, e.g. {@code finance}
 * @param language    {@code python} or {@code javascript}
 * @param description its documentation's first line, or empty
 * @param functions   its public functions
 */
public record ToolLibrary(String name, String language, String description, List<ToolFunction> functions) {

    /** Checks for nulls and copies. */
    public ToolLibrary {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(description, "description");
        functions = List.copyOf(functions);
    }
}
