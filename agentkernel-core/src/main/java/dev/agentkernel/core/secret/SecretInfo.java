package dev.agentkernel.core.secret;

import java.time.Instant;
import java.util.Objects;

/**
 * What callers see of a secret: its name and dates, never its value.
 *
 * @param name      its name
 * @param createdAt when it was first set
 * @param updatedAt when its value was last set
 */
public record SecretInfo(String name, Instant createdAt, Instant updatedAt) {

    /** Validates. */
    public SecretInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
