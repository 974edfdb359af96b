package dev.agentkernel.api;

import java.util.List;

/** The checks records make in their compact constructors. Package-private. */
final class Check {

    /** The longest time limit a command may have: 7 days, in seconds. */
    static final double MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

    private Check() {
    }

    static BadRequestException bad(String message) {
        return new BadRequestException(ErrorCode.INVALID_REQUEST, message);
    }

    static <T> T required(T value, String field, String example) {
        if (value == null) {
            throw bad(field + " is required, e.g. " + example);
        }
        return value;
    }

    /** A non-blank string if present. */
    static String optionalText(String value, String field) {
        if (value != null && value.isBlank()) {
            throw bad(field + " must be a non-empty string");
        }
        return value;
    }

    /** A pull policy ({@code missing}, {@code always}, {@code never}, any case), normalised; null when absent. */
    static String pullPolicy(String value) {
        if (value == null) {
            return null;
        }
        String normal = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("missing", "always", "never").contains(normal)) {
            throw bad("pull must be missing, always or never, not '" + value + "'");
        }
        return normal;
    }

    /** A backend's name ({@code bwrap}, {@code runc}, {@code gvisor}), normalised; null when absent. */
    static String backend(String value) {
        if (value == null) {
            return null;
        }
        String normal = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (!normal.matches("[a-z][a-z0-9-]{0,31}")) {
            throw bad("backend must be a backend's name such as bwrap, runc or gvisor, not '"
                    + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'");
        }
        return normal;
    }

    /** A list of strings, none null; empty when absent. */
    static List<String> strings(List<String> value, String field) {
        if (value == null) {
            return List.of();
        }
        for (String s : value) {
            if (s == null) {
                throw bad(field + " must contain only strings");
            }
        }
        return List.copyOf(value);
    }

    /** A non-empty argv. */
    static List<String> command(List<String> value, String example) {
        if (value == null) {
            throw bad("command is required: an array of strings, e.g. " + example);
        }
        List<String> command = strings(value, "command");
        if (command.isEmpty()) {
            throw bad("command must not be empty: e.g. " + example);
        }
        return command;
    }

    /** A positive time limit in seconds, at most 7 days, if present. */
    static Double timeout(Double seconds) {
        if (seconds == null) {
            return null;
        }
        if (!(seconds > 0) || seconds.isInfinite()) {
            throw bad("timeout must be a positive number of seconds");
        }
        if (seconds > MAX_TIMEOUT_SECONDS) {
            throw bad("timeout must be at most " + (long) MAX_TIMEOUT_SECONDS + " seconds (7 days)");
        }
        return seconds;
    }

    static Long positive(Long value, String field, String what) {
        if (value != null && value <= 0) {
            throw bad(field + " must be a positive whole number" + what);
        }
        return value;
    }

    static Integer positive(Integer value, String field, String what) {
        if (value != null && value <= 0) {
            throw bad(field + " must be a positive whole number" + what);
        }
        return value;
    }
}
