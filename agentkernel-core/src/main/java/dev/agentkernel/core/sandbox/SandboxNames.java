package dev.agentkernel.core.sandbox;

import dev.agentkernel.model.InvalidRequestException;
import java.util.regex.Pattern;

/** The rule for sandbox names: letters, digits, {@code -} and {@code _}, 1 to 63 characters, a letter or digit first. */
public final class SandboxNames {

    /** The longest name. */
    public static final int MAX_LENGTH = 63;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

    private SandboxNames() {
    }

    /**
     * Returns {@code name} if valid.
     *
     * @throws InvalidRequestException with a message that says what is wrong
     */
    public static String requireValid(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("sandbox name is required");
        }
        if (name.length() > MAX_LENGTH) {
            throw new InvalidRequestException("sandbox name is " + name.length() + " characters long; at most "
                    + MAX_LENGTH + " are allowed");
        }
        if (!VALID.matcher(name).matches()) {
            throw new InvalidRequestException("invalid sandbox name '" + printable(name)
                    + "': use letters, digits, '-' and '_', starting with a letter or digit");
        }
        return name;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
