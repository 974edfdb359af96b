package dev.agentkernel.core.secret;

import java.time.Instant;
import java.util.Objects;

/**
 * What is stored about one secret.
 *
 * @param name      its name ({@link SecretNames})
 * @param value     its value, encrypted
 * @param createdAt when it was first set
 * @param updatedAt when its value was last set
 */
public record SecretRecord(String name, SealedValue value, Instant createdAt, Instant updatedAt) {

    /** Validates. */
    public SecretRecord {
        SecretNames.requireValid(name);
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** What callers may see of it: never the value. */
    public SecretInfo info() {
        return new SecretInfo(name, createdAt, updatedAt);
    }
}
