package dev.agentkernel.core.secret;

import java.util.List;
import java.util.Optional;

/**
 * Durable storage of secrets, their values encrypted ({@link SealedValue}). Implementations are
 * thread-safe and write through; they never see a value in clear.
 */
public interface SecretStore {

    /** Stores {@code record}, replacing the one of its name if there is one. */
    void put(SecretRecord record);

    /** The secret of that name, if stored. */
    Optional<SecretRecord> find(String name);

    /** Every secret's name and dates, by name. */
    List<SecretInfo> list();

    /** How many secrets are stored. */
    int count();

    /** Deletes a secret; false if there was none. */
    boolean delete(String name);
}
