package dev.agentkernel.client;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A secret as the server shows it ({@code GET /secrets/NAME}): its name and dates, never its
 * value.
 *
 * @param name      its name
 * @param createdAt when it was first set (whole seconds)
 * @param updatedAt when its value was last set (whole seconds)
 */
public record SecretInfo(String name, Optional<Instant> createdAt, Optional<Instant> updatedAt) {

    /** Checks for nulls. */
    public SecretInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
