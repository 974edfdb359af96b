package dev.agentkernel.client;

import java.util.Objects;

/**
 * One function of a tool library ({@link ToolLibrary#functions()}).
 *
 * @param name        its name, e.g. {@code average}
 * @param signature   its signature as written in the source, e.g. {@code average(xs)}
 * @param description its documentation's first line, or empty
 */
public record ToolFunction(String name, String signature, String description) {

    /** Checks for nulls. */
    public ToolFunction {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(description, "description");
    }
}
