package dev.agentkernel.core.session;

import java.util.Objects;

/**
 * What a pooled interpreter was started for.
 *
 * @param template its interpreter
 * @param flavor   its size
 */
public record InterpreterKey(InterpreterTemplate template, Flavor flavor) {
    /** Validates. */
    public InterpreterKey {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(flavor, "flavor");
    }

    /** {@code python/small}. */
    @Override
    public String toString() {
        return template.id() + "/" + flavor.id();
    }
}
