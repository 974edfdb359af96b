package dev.agentkernel.core.backend;

import java.util.Objects;

/** Whether a backend can run on this host, and if not why and how to fix it. */
public sealed interface Availability {

    /** The backend works here. */
    record Available() implements Availability {
    }

    /**
     * The backend cannot run here.
     *
     * @param reason what is missing or broken, e.g. "bwrap not found on PATH"
     * @param fix    what a person can do about it, e.g. "apt-get install bubblewrap"; may be empty
     */
    record Unavailable(String reason, String fix) implements Availability {
        /** Validates. */
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(fix, "fix");
        }
    }

    /** The shared available instance. */
    static Availability available() {
        return new Available();
    }

    /** An unavailable result. */
    static Availability unavailable(String reason, String fix) {
        return new Unavailable(reason, fix);
    }

    /** Whether this is {@link Available}. */
    default boolean isAvailable() {
        return this instanceof Available;
    }
}
