package dev.agentkernel.core.volume;

import dev.agentkernel.model.InvalidRequestException;
import java.util.regex.Pattern;

/** Valid volume names: the rules of sandbox names (letters, digits, '-' and '_', at most 63). */
public final class VolumeNames {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

    private VolumeNames() {
    }

    /**
     * Returns {@code name} if it is a valid volume name.
     *
     * @throws InvalidRequestException saying why it is not
     */
    public static String requireValid(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("volume name is required");
        }
        if (name.length() > 63) {
            throw new InvalidRequestException("volume name is " + name.length() + " characters long; at most 63 are allowed");
        }
        if (!VALID.matcher(name).matches()) {
            throw new InvalidRequestException("invalid volume name '" + name.replaceAll("\\p{Cntrl}", "?")
                    + "': use letters, digits, '-' and '_', starting with a letter or digit");
        }
        return name;
    }
}
