package dev.agentkernel.core.snapshot;

import java.util.List;
import java.util.Optional;

/** Durable storage of snapshots' records. Thread-safe; every change survives a crash once it returns. */
public interface SnapshotStore {

    /**
     * Stores a new snapshot.
     *
     * @throws dev.agentkernel.model.ConflictException if one of that name exists
     */
    void insert(SnapshotRecord record);

    /** The snapshot of that name, if stored. */
    Optional<SnapshotRecord> find(String name);

    /** Every snapshot, oldest first (ties by name). */
    List<SnapshotRecord> list();

    /** Deletes a snapshot's record; false if there was none. */
    boolean delete(String name);
}
