package dev.agentkernel.core.snapshot;

import dev.agentkernel.model.InvalidRequestException;
import java.util.regex.Pattern;

/** The rule for snapshot names: letters, digits, {@code -}, {@code _} and {@code .}, 1 to 63 characters, a letter or digit first. */
public final class SnapshotNames {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    private SnapshotNames() {
    }

    /**
     * Returns {@code name} if valid.
     *
     * @throws InvalidRequestException saying what a name may be
     */
    public static String requireValid(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw new InvalidRequestException("invalid snapshot name '" + (name == null ? "" : name.length() > 80
                    ? name.substring(0, 80) + "..." : name) + "': use 1 to 63 letters, digits, '-', '_' and '.', "
                    + "starting with a letter or digit");
        }
        return name;
    }

    /** The image reference a snapshot is stored under (a tag of one repository of no registry). */
    public static String reference(String name) {
        return "agentkernel.local/snapshots:" + requireValid(name);
    }
}
