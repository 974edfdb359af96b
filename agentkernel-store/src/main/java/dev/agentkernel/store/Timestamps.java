package dev.agentkernel.store;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.Locale;

/** How instants are stored: as fixed-width ISO-8601 text or as epoch nanoseconds. */
final class Timestamps {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Always nine fraction digits, so that text order is time order (for years 0 to 9999). */
    private static final DateTimeFormatter TEXT = new DateTimeFormatterBuilder().appendInstant(9)
            .toFormatter(Locale.ROOT);

    private Timestamps() {
    }

    /** ISO-8601 in UTC with nanoseconds, e.g. {@code 2025-06-01T12:00:00.123456789Z}. */
    static String toText(Instant instant) {
        return TEXT.format(instant);
    }

    /** The instant of ISO-8601 text in UTC (any number of fraction digits). */
    static Instant fromText(String text) {
        return Instant.parse(text);
    }

    /** Nanoseconds since the epoch; instants outside 1677..2262 are clamped to the nearest end. */
    static long toEpochNanos(Instant instant) {
        try {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), NANOS_PER_SECOND), instant.getNano());
        } catch (ArithmeticException e) {
            return instant.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** The instant of a number of nanoseconds since the epoch. */
    static Instant fromEpochNanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS_PER_SECOND), Math.floorMod(nanos, NANOS_PER_SECOND));
    }
}
