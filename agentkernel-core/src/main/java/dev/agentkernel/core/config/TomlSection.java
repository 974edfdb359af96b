package dev.agentkernel.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.model.InvalidRequestException;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Typed access to one {@code [section]} of a parsed config file. Each getter returns empty
 * for an absent key and throws a one-line {@link InvalidRequestException} naming the file,
 * section, key, what is expected and what was found for a value of the wrong type. Keys
 * nobody asks for are never looked at, which is what makes unknown keys harmless.
 */
final class TomlSection {

    private static final int MAX_SHOWN_CHARS = 60;
    private static final BigDecimal PLAIN_MIN = new BigDecimal("1e-6");
    private static final BigDecimal PLAIN_MAX = new BigDecimal("1e15");

    private final String file;
    private final String name;
    private final ObjectNode table;

    private TomlSection(String file, String name, ObjectNode table) {
        this.file = file;
        this.name = name;
        this.table = table;
    }

    /**
     * The section {@code name} of {@code root}; an absent section is an empty one.
     *
     * @param file how to name the file in messages
     * @throws InvalidRequestException if {@code name} is not a table
     */
    static TomlSection of(String file, ObjectNode root, String name) {
        JsonNode node = root.get(name);
        if (node == null) {
            return new TomlSection(file, name, JsonNodeFactory.instance.objectNode());
        }
        if (!(node instanceof ObjectNode table)) {
            throw new InvalidRequestException(file + ": " + name + " must be a table, written [" + name
                    + "] on a line of its own, got " + describe(node));
        }
        return new TomlSection(file, name, table);
    }

    /** A string value that is not blank. */
    Optional<String> nonBlankString(String key) {
        JsonNode value = table.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw invalid(key, "must be a string in double quotes");
        }
        if (value.textValue().isBlank()) {
            throw invalid(key, "must not be empty");
        }
        return Optional.of(value.textValue());
    }

    /** An array of strings (empty when absent). */
    java.util.List<String> strings(String key) {
        JsonNode value = table.get(key);
        if (value == null) {
            return java.util.List.of();
        }
        if (!value.isArray()) {
            throw invalid(key, "must be an array of strings, e.g. [\"example.com\"]");
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw invalid(key, "must be an array of strings, e.g. [\"example.com\"]");
            }
            out.add(item.textValue());
        }
        return out;
    }

    /** An array of integers (empty when absent). */
    java.util.List<Integer> integers(String key) {
        JsonNode value = table.get(key);
        if (value == null) {
            return java.util.List.of();
        }
        if (!value.isArray()) {
            throw invalid(key, "must be an array of numbers, e.g. [443]");
        }
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isIntegralNumber() || !item.canConvertToInt()) {
                throw invalid(key, "must be an array of whole numbers, e.g. [443]");
            }
            out.add(item.intValue());
        }
        return out;
    }

    /** A boolean value. */
    Optional<Boolean> bool(String key) {
        JsonNode value = table.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isBoolean()) {
            throw invalid(key, "must be true or false");
        }
        return Optional.of(value.booleanValue());
    }

    /** An integer value that fits a {@code long}. */
    OptionalLong integer(String key) {
        JsonNode value = table.get(key);
        if (value == null) {
            return OptionalLong.empty();
        }
        if (!value.isIntegralNumber()) {
            throw invalid(key, "must be an integer");
        }
        if (!value.canConvertToLong()) {
            throw invalid(key, "must be at most " + Long.MAX_VALUE);
        }
        return OptionalLong.of(value.longValue());
    }

    /** A number value, integer or decimal. */
    OptionalDouble number(String key) {
        JsonNode value = table.get(key);
        if (value == null) {
            return OptionalDouble.empty();
        }
        if (!value.isNumber()) {
            throw invalid(key, "must be a number");
        }
        return OptionalDouble.of(value.doubleValue());
    }

    /**
     * The error for the present value of {@code key}: "{@code FILE: [SECTION] KEY REQUIREMENT,
     * got VALUE}".
     *
     * @param requirement what the value must be, e.g. {@code "must be at least 16"}
     */
    InvalidRequestException invalid(String key, String requirement) {
        JsonNode value = table.get(key);
        String got = value == null ? "" : ", got " + describe(value);
        return new InvalidRequestException(file + ": [" + name + "] " + key + " " + requirement + got);
    }

    /** A value as it could be written in TOML, on one line; containers and dates by their kind. */
    static String describe(JsonNode value) {
        if (value.isTextual()) {
            return quote(value.textValue());
        }
        if (value.isFloatingPointNumber()) {
            return decimal(value);
        }
        if (value.isNumber() || value.isBoolean()) {
            return value.asText();
        }
        if (value.isArray()) {
            return "an array";
        }
        if (value.isObject()) {
            return "a table";
        }
        if (value.isPojo()) {
            return "a date/time";
        }
        return "a value of another type";
    }

    /** A decimal as TOML writes it: always with a fraction or exponent, {@code inf} and {@code nan} by name. */
    private static String decimal(JsonNode value) {
        double d = value.doubleValue();
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d) && !value.isBigDecimal()) {
            return d > 0 ? "inf" : "-inf";
        }
        BigDecimal exact = value.decimalValue();
        BigDecimal magnitude = exact.abs();
        boolean plain = magnitude.signum() == 0
                || (magnitude.compareTo(PLAIN_MIN) >= 0 && magnitude.compareTo(PLAIN_MAX) < 0);
        String text = plain ? exact.toPlainString() : exact.toString();
        return text.contains(".") || text.contains("E") ? text : text + ".0";
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        int shown = Math.min(text.length(), MAX_SHOWN_CHARS);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        quoted.append(String.format("\\u%04X", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append(shown < text.length() ? "...\"" : "\"").toString();
    }
}
