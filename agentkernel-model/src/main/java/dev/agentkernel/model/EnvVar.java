package dev.agentkernel.model;

import java.util.regex.Pattern;

/** Validation and parsing of environment variables given as {@code K=V}. */
public final class EnvVar {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private EnvVar() {
    }

    /** Whether {@code name} is a valid environment variable name. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Parses {@code K=V}. The value may be empty and may contain {@code =}.
     *
     * @return a two-element array, name then value
     * @throws InvalidRequestException for a missing {@code =}, a bad name or a NUL byte
     */
    public static String[] parse(String assignment) {
        int eq = assignment == null ? -1 : assignment.indexOf('=');
        if (eq <= 0) {
            throw new InvalidRequestException("environment variable '" + assignment + "' must be written NAME=VALUE");
        }
        String name = assignment.substring(0, eq);
        String value = assignment.substring(eq + 1);
        requireValid(name, value);
        return new String[] {name, value};
    }

    /** @throws InvalidRequestException if the name is invalid or the value holds a NUL byte */
    public static void requireValid(String name, String value) {
        if (!isValidName(name)) {
            throw new InvalidRequestException("environment variable name '" + name
                    + "' is invalid: use letters, digits and '_', not starting with a digit");
        }
        if (value == null || value.indexOf('\0') >= 0) {
            throw new InvalidRequestException("environment variable " + name + " must have a value without NUL bytes");
        }
    }
}
