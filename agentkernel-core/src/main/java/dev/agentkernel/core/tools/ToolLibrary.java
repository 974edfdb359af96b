package dev.agentkernel.core.tools;

import java.util.List;
import java.util.Locale;

/**
 * A library of tools: a Python module ({@code name.py} or a package {@code name/__init__.py})
 * or a JavaScript module ({@code name.js}) in the tools directory.
 *
 * @param name        its import name
 * @param language    {@code python} or {@code javascript}
 * @param description the first paragraph of its documentation (empty if none)
 * @param functions   the public functions it defines, in source order
 */
public record ToolLibrary(String name, String language, String description, List<ToolFunction> functions) {

    /** Copies. */
    public ToolLibrary {
        functions = List.copyOf(functions);
    }

    /** Whether the library, or one of its functions, mentions every word of {@code query} (case-insensitive). */
    public boolean matches(String query) {
        String text = (name + " " + description + " " + functions.stream()
                .map(f -> f.name() + " " + f.description()).reduce("", (a, b) -> a + " " + b)).toLowerCase(Locale.ROOT);
        for (String word : query.toLowerCase(Locale.ROOT).split("\\s+")) {
            if (!word.isEmpty() && !text.contains(word)) {
                return false;
            }
        }
        return true;
    }
}
