package dev.agentkernel.mcp;

import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.InvalidRequestException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A tool call's arguments, read with validation: every problem is an {@link InvalidRequestException}
 * whose message names the tool and the argument and says what is expected. Package-private.
 */
final class Arguments {

    private final String tool;
    private final Map<String, Object> values;
    private final Progress progress;

    private Arguments(String tool, Map<String, Object> values, Progress progress) {
        this.tool = tool;
        this.values = values;
        this.progress = progress;
    }

    /**
     * Where a long call reports how far it got: MCP progress notifications when the client sent a
     * {@code progressToken}, nothing otherwise.
     */
    @FunctionalInterface
    interface Progress {
        /** Reports nothing. */
        Progress NONE = (done, total, message) -> { };

        /**
         * @param done    how much is done (grows with each report)
         * @param total   how much there is, if known (else null)
         * @param message what just happened
         */
        void report(double done, Double total, String message);
    }

    /** Where this call reports its progress. */
    Progress progress() {
        return progress;
    }

    /**
     * The arguments of a call of {@code tool}, which takes only {@code known}.
     *
     * @throws InvalidRequestException for an argument the tool does not take
     */
    static Arguments of(String tool, Map<String, Object> values, Set<String> known) {
        return of(tool, values, known, Progress.NONE);
    }

    /**
     * The arguments of a call of {@code tool} that reports its progress to {@code progress}.
     *
     * @throws InvalidRequestException for an argument the tool does not take
     */
    static Arguments of(String tool, Map<String, Object> values, Set<String> known, Progress progress) {
        Map<String, Object> args = values == null ? Map.of() : values;
        for (String name : new TreeSet<>(args.keySet())) {
            if (!known.contains(name)) {
                throw new InvalidRequestException(tool + ": unknown argument '" + name + "'; "
                        + (known.isEmpty() ? "it takes no arguments" : "it takes " + String.join(", ", new TreeSet<>(known))));
            }
        }
        return new Arguments(tool, args, progress);
    }

    /** Whether the argument was given (and is not null). */
    boolean has(String name) {
        return values.get(name) != null;
    }

    private Object value(String name) {
        return values.get(name);
    }

    private InvalidRequestException invalid(String name, String expected) {
        return new InvalidRequestException(tool + ": " + name + " " + expected);
    }

    /** A string that must be given and not blank; {@code example} shows a valid call. */
    String requiredString(String name, String example) {
        Object v = value(name);
        if (v == null) {
            throw new InvalidRequestException(tool + ": " + name + " is required, e.g. " + example);
        }
        if (!(v instanceof String s)) {
            throw invalid(name, "must be a string, got " + kind(v));
        }
        if (s.isBlank()) {
            throw invalid(name, "must not be empty");
        }
        return s;
    }

    /** A string that may be left out (or null); if given, not blank. */
    Optional<String> optionalString(String name) {
        Object v = value(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw invalid(name, "must be a string, got " + kind(v));
        }
        if (s.isBlank()) {
            throw invalid(name, "must not be empty (leave it out for the default)");
        }
        return Optional.of(s);
    }

    /** A string that may be empty; {@code fallback} when left out. */
    String text(String name, String fallback) {
        Object v = value(name);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String s)) {
            throw invalid(name, "must be a string, got " + kind(v));
        }
        return s;
    }

    /** A boolean; {@code fallback} when left out. */
    boolean flag(String name, boolean fallback) {
        Object v = value(name);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw invalid(name, "must be true or false, got " + kind(v));
        }
        return b;
    }

    /** A positive number of seconds, at most {@code max}; empty when left out. */
    Optional<Duration> seconds(String name, Duration max) {
        Object v = value(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Number n) || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
            throw invalid(name, "must be a positive number of seconds, got " + render(v));
        }
        if (n.doubleValue() > max.toSeconds()) {
            throw invalid(name, "must be at most " + max.toSeconds() + " seconds, got " + render(v));
        }
        return Optional.of(Duration.ofMillis(Math.max(1, (long) (n.doubleValue() * 1000))));
    }

    /** A number of seconds that may be 0, at most {@code max}; {@code fallback} when left out. */
    Duration wait(String name, Duration fallback, Duration max) {
        Object v = value(name);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n) || !(n.doubleValue() >= 0) || Double.isInfinite(n.doubleValue())) {
            throw invalid(name, "must be a number of seconds (0 or more), got " + render(v));
        }
        if (n.doubleValue() > max.toSeconds()) {
            throw invalid(name, "must be at most " + max.toSeconds() + " seconds, got " + render(v));
        }
        return Duration.ofMillis((long) (n.doubleValue() * 1000));
    }

    /** A positive number; empty when left out. */
    Optional<Double> positiveNumber(String name, String example) {
        Object v = value(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Number n) || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
            throw invalid(name, "must be a positive number, e.g. " + example + ", got " + render(v));
        }
        return Optional.of(n.doubleValue());
    }

    /** A positive whole number; empty when left out. */
    Optional<Long> positiveWholeNumber(String name, String example) {
        Object v = value(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 1
                || n.doubleValue() > Long.MAX_VALUE) {
            throw invalid(name, "must be a positive whole number, e.g. " + example + ", got " + render(v));
        }
        return Optional.of(n.longValue());
    }

    /** A list of strings; empty when left out. */
    List<String> strings(String name, String example) {
        Object v = value(name);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw invalid(name, "must be an array of strings, e.g. " + example + ", got " + kind(v));
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s)) {
                throw invalid(name, "must contain only strings, e.g. " + example + ", got " + kind(item));
            }
            out.add(s);
        }
        return out;
    }

    /**
     * A command: an array of strings (argv), or one string run by {@code /bin/sh -c}. Required
     * and not empty.
     */
    List<String> command(String name) {
        Object v = value(name);
        String example = "[\"python3\", \"-c\", \"print(42)\"] or \"ls -la | wc -l\"";
        if (v == null) {
            throw new InvalidRequestException(tool + ": " + name + " is required, e.g. " + example);
        }
        if (v instanceof String s) {
            if (s.isBlank()) {
                throw invalid(name, "must not be empty, e.g. " + example);
            }
            return List.of("/bin/sh", "-c", s);
        }
        List<String> argv = strings(name, example);
        if (argv.isEmpty()) {
            throw invalid(name, "must not be empty, e.g. " + example);
        }
        return CommandSpec.requireValidArgv(argv, example);
    }

    /** Library names: a list of names, or an object of library name to function names. */
    List<String> libraryNames(String name) {
        Object v = value(name);
        if (v == null) {
            return List.of();
        }
        if (v instanceof Map<?, ?> map) {
            List<String> names = new ArrayList<>();
            map.keySet().forEach(k -> names.add(String.valueOf(k)));
            return names;
        }
        if (v instanceof List<?>) {
            return strings(name, "[\"finance\"]");
        }
        throw invalid(name, "must be a list of library names or an object of library name to functions, "
                + "e.g. {\"finance\": [\"get_stock_data\"]}, got " + kind(v));
    }

    private static String kind(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> "a string";
            case Boolean b -> "a boolean";
            case Number n -> "a number";
            case List<?> l -> "an array";
            case Map<?, ?> m -> "an object";
            default -> v.getClass().getSimpleName();
        };
    }

    private static String render(Object v) {
        return v instanceof String s ? "\"" + s + "\"" : v instanceof Number ? String.valueOf(v) : kind(v);
    }
}
