package dev.agentkernel.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Environment variables of a command: checked, kept in order, sent as {@code "K=V"} strings. Package-private. */
final class EnvVars {
    private EnvVars() {
    }

    /** An unmodifiable, ordered copy of {@code env}, refusing names the wire cannot carry. */
    static Map<String, String> copy(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        Map<String, String> copy = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            Objects.requireNonNull(name, "environment variable name");
            Objects.requireNonNull(value, () -> "value of environment variable " + name);
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment variable name '" + name
                        + "' is invalid: it must be non-empty and contain neither '=' nor NUL");
            }
            copy.put(name, value);
        });
        return Collections.unmodifiableMap(copy);
    }

    /** A copy of {@code env} with {@code name} set to {@code value}. */
    static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.put(name, value);
        return copy(copy);
    }

    /** The wire form: {@code ["K=V", ...]}. */
    static List<String> assignments(Map<String, String> env) {
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }
}
