package dev.agentkernel.api;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lengths of time as requests write them ({@code ttl} of {@code POST /sandboxes}, {@code by} of
 * {@code POST /sandboxes/NAME/extend}, as the published clients send them): a number with a unit,
 * {@code s}, {@code m}, {@code h} or {@code d}, or several ({@code 1h30m}); a bare number is
 * seconds. From one second to {@value #MAX_DAYS} days.
 */
public final class Lifetime {

    /** The longest length of time accepted, in days. */
    public static final int MAX_DAYS = 365;
    private static final Pattern WHOLE = Pattern.compile("(?:\\d{1,9}[smhd])+|\\d{1,9}");
    private static final Pattern PART = Pattern.compile("(\\d{1,9})([smhd])");

    private Lifetime() {
    }

    /**
     * Parses {@code text}.
     *
     * @param field the request field, for the error
     * @throws BadRequestException naming the field and the forms accepted
     */
    public static Duration parse(String text, String field) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (!WHOLE.matcher(t).matches()) {
            throw Check.bad(field + " must be a length of time such as \"90s\", \"30m\", \"2h\", \"1d\" or \"1h30m\", not \""
                    + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\"");
        }
        Duration total = Duration.ZERO;
        if (t.chars().allMatch(Character::isDigit)) {
            total = Duration.ofSeconds(Long.parseLong(t));
        } else {
            Matcher part = PART.matcher(t);
            while (part.find()) {
                long n = Long.parseLong(part.group(1));
                total = total.plus(switch (part.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
            }
        }
        if (total.isZero() || total.compareTo(Duration.ofDays(MAX_DAYS)) > 0) {
            throw Check.bad(field + " must be between 1 second and " + MAX_DAYS + " days, not \"" + t + "\"");
        }
        return total;
    }

    /** {@code duration} as {@link #parse} reads it: {@code 1h30m}, {@code 45s}. */
    public static String format(Duration duration) {
        long s = duration.toSeconds();
        StringBuilder b = new StringBuilder();
        long[] sizes = {86_400, 3_600, 60, 1};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (s >= sizes[i]) {
                b.append(s / sizes[i]).append(units[i]);
                s %= sizes[i];
            }
        }
        return b.isEmpty() ? "0s" : b.toString();
    }
}
