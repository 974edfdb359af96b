package dev.agentkernel.core.sandbox;

import java.util.List;
import java.util.Optional;

/**
 * Durable storage of persistent sandboxes. Implementations are thread-safe and write
 * through: a method that returns has made its change survive a crash of the process.
 */
public interface SandboxStore {

    /**
     * Stores a new sandbox.
     *
     * @throws dev.agentkernel.model.ConflictException if one with that name exists
     */
    void insert(SandboxRecord record);

    /** The sandbox of that name, if stored. */
    Optional<SandboxRecord> find(String name);

    /** The sandbox of that {@link SandboxRecord#uuid}, if stored. */
    Optional<SandboxRecord> findByUuid(String uuid);

    /** Sets when a stored sandbox expires (empty: never); false if there is none of that name. */
    boolean updateExpiry(String name, Optional<java.time.Instant> expiresAt);

    /** Puts a stored sandbox on another image; false if there is none of that name. */
    boolean updateImage(String name, String image);

    /** Every stored sandbox, oldest first (ties by name). */
    List<SandboxRecord> list();

    /** Sets the state of a stored sandbox; false if there is none of that name. */
    boolean updateState(String name, SandboxState state);

    /** Deletes a sandbox's record; false if there was none. */
    boolean delete(String name);
}
