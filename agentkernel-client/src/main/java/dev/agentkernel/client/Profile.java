package dev.agentkernel.client;

import java.util.Locale;
import java.util.Optional;

/** The security profiles a sandbox runs under; the server decides what each one enforces. */
public enum Profile {
    /** Network, the daemon user's home directory read-only, a few of the daemon's environment variables. */
    PERMISSIVE,
    /** The server's default: network, no host mounts, no host environment. */
    MODERATE,
    /** No network, read-only root, a small /tmp, tighter limits. */
    RESTRICTIVE;

    /**
     * The wire spelling.
     *
     * @return the lower-case name, e.g. {@code restrictive}
     */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The profile a wire spelling names, case-insensitively.
     *
     * @param id a wire spelling such as {@code moderate}
     * @return the profile, or empty if {@code id} names none this client knows
     */
    public static Optional<Profile> fromId(String id) {
        for (Profile p : values()) {
            if (p.id().equalsIgnoreCase(id)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
