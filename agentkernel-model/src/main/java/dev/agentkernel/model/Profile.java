package dev.agentkernel.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The security profiles of the product. What each one enforces is decided in one place,
 * the core's {@code PolicyResolver}; this type only names them.
 */
public enum Profile {
    /** Network, current directory read-write at /workspace, home read-only, a few env vars. */
    PERMISSIVE,
    /** The default: network, no host mounts, no host environment. */
    MODERATE,
    /** No network, read-only root, small /tmp, tighter limits. */
    RESTRICTIVE;

    /** The lower-case name used on the command line, in config files and on the wire. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a profile name, case-insensitively.
     *
     * @throws InvalidRequestException naming the accepted profiles if {@code text} is none of them
     */
    public static Profile parse(String text) {
        if (text != null) {
            for (Profile p : values()) {
                if (p.id().equalsIgnoreCase(text.strip())) {
                    return p;
                }
            }
        }
        throw new InvalidRequestException("unknown profile '" + text + "': use one of "
                + Arrays.stream(values()).map(Profile::id).collect(Collectors.joining(", ")));
    }
}
