package dev.agentkernel.agent;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@link AgentConnection#stat} reports about a path inside the sandbox (symlinks followed).
 *
 * @param type     regular file, directory or anything else
 * @param size     size in bytes
 * @param mode     permission bits, {@code 07777} at most
 * @param modified last modification time
 */
public record FileStat(Type type, long size, int mode, Instant modified) {

    /** Validates. */
    public FileStat {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(modified, "modified");
    }

    /** The kind of file. */
    public enum Type {
        /** A regular file. */
        FILE,
        /** A directory. */
        DIRECTORY,
        /** A device, FIFO, socket or anything else. */
        OTHER
    }
}
