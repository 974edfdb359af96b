package dev.agentkernel.core.secret;

import dev.agentkernel.model.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Valid secret names and values. A name is an environment variable's name ({@code
 * [A-Za-z_][A-Za-z0-9_]*}, at most {@value #MAX_NAME} characters), since a sandbox sees a
 * secret's placeholder under its name; a value is 1 to {@value #MAX_VALUE_BYTES} bytes of UTF-8.
 * No message ever quotes a value.
 */
public final class SecretNames {

    /** The longest name, in characters. */
    public static final int MAX_NAME = 128;
    /** The largest value, in bytes of UTF-8 (64 KiB). */
    public static final int MAX_VALUE_BYTES = 64 * 1024;

    private static final Pattern VALID = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private SecretNames() {
    }

    /** Whether {@code name} is a valid secret name. */
    public static boolean isValid(String name) {
        return name != null && !name.isEmpty() && name.length() <= MAX_NAME && VALID.matcher(name).matches();
    }

    /**
     * Returns {@code name} if it is a valid secret name.
     *
     * @throws InvalidRequestException saying why it is not
     */
    public static String requireValid(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("secret name is required");
        }
        if (name.length() > MAX_NAME) {
            throw new InvalidRequestException("secret name is " + name.length() + " characters long; at most "
                    + MAX_NAME + " are allowed");
        }
        if (!VALID.matcher(name).matches()) {
            throw new InvalidRequestException("invalid secret name '" + printable(name) + "': use letters, digits and"
                    + " '_', not starting with a digit (the rules of environment variable names), e.g. OPENAI_API_KEY");
        }
        return name;
    }

    /**
     * Returns {@code value} if it is a valid secret value: not empty, at most
     * {@value #MAX_VALUE_BYTES} bytes of UTF-8. The message names the secret, never the value.
     *
     * @throws InvalidRequestException saying why it is not
     */
    public static String requireValidValue(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidRequestException("the value of secret '" + name + "' is empty; a secret needs a value");
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_VALUE_BYTES) {
            throw new InvalidRequestException("the value of secret '" + name + "' is " + bytes + " bytes; at most "
                    + MAX_VALUE_BYTES + " are allowed");
        }
        return value;
    }

    private static String printable(String text) {
        String shown = text.length() > MAX_NAME ? text.substring(0, MAX_NAME) + "..." : text;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
