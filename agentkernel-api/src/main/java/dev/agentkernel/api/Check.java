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
        if (!normal.matches("[a-z][a-z0-9-]{0,62}")) {
            throw bad("backend must be a backend's name such as bwrap, runc or gvisor, not '"
                    + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'");
        }
        return normal;
    }

    /**
     * An {@code output_encoding}: {@code base64} stays, {@code utf8} (or {@code utf-8}, any case) is the
     * default and becomes null, so a request that asks for the default reads as one that asks nothing.
     */
    static String outputEncoding(String value) {
        if (value == null) {
            return null;
        }
        String normal = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (normal.equals("utf8") || normal.equals("utf-8")) {
            return null;
        }
        if (!normal.equals(BASE64)) {
            throw bad("output_encoding must be utf8 or base64, not '" + value + "'");
        }
        return BASE64;
    }

    /** The {@code encoding} of answers that carry output as base64. */
    static final String BASE64 = "base64";

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

    /** A list an answer must have, no entry null (a client reading a broken answer is told which field). */
    static <T> List<T> list(List<T> value, String field) {
        if (value == null) {
            throw bad(field + " is required");
        }
        return entries(value, field);
    }

    /** A list an answer may leave out (then empty), no entry null. */
    static <T> List<T> optionalList(List<T> value, String field) {
        return value == null ? List.of() : entries(value, field);
    }

    private static <T> List<T> entries(List<T> value, String field) {
        for (int i = 0; i < value.size(); i++) {
            if (value.get(i) == null) {
                throw bad(field + "[" + i + "] must not be null");
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
