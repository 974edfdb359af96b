package dev.agentkernel.egress.dns;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The checks a queried name passes before any rule or upstream sees it: at most 253 characters,
 * labels of 1 to 63 letters, digits, {@code -} and {@code _} (not starting or ending with
 * {@code -}), and a last label that is not all digits (an IPv4 literal is not a name).
 */
final class QueryName {

    /** The rule named in refusals of names that fail these checks. */
    static final String MALFORMED = "malformed name";

    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private QueryName() {
    }

    /** {@code text} in lower case without a trailing dot, if it is a well-formed name. */
    static Optional<String> normalise(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String name = text.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty() || name.length() > 253) {
            return Optional.empty();
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return Optional.empty();
            }
        }
        return DIGITS.matcher(labels[labels.length - 1]).matches() ? Optional.empty() : Optional.of(name);
    }

    /** {@code text} cut to a length fit for an audit event. */
    static String forAudit(String text) {
        return text.length() <= 260 ? text : text.substring(0, 257) + "...";
    }
}
