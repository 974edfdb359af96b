package dev.agentkernel.core.volume;

import java.util.List;
import java.util.Optional;

/**
 * Durable storage of named volumes and of which sandboxes mount them. Implementations are
 * thread-safe and write through.
 */
public interface VolumeStore {

    /**
     * Stores a new volume.
     *
     * @throws dev.agentkernel.model.ConflictException if one with that name exists
     */
    void insert(VolumeRecord record);

    /** The volume of that name, if stored. */
    Optional<VolumeRecord> find(String name);

    /** Every volume, oldest first (ties by name). */
    List<VolumeRecord> list();

    /** Deletes a volume's record (and every sandbox's mount of it); false if there was none. */
    boolean delete(String name);

    /** Records the volumes sandbox {@code sandbox} mounts, replacing what was recorded. */
    void setMounts(String sandbox, List<VolumeMount> mounts);

    /** The volumes sandbox {@code sandbox} mounts, in the order given. */
    List<VolumeMount> mounts(String sandbox);

    /** The sandboxes that mount volume {@code volume}. */
    List<VolumeUser> users(String volume);
}
