package dev.agentkernel.core.disk;

/**
 * How full a sandbox's disk is, as its file system reports it ({@code df}).
 *
 * @param usedMb      MiB in use (files and directories; the file system's own metadata is not counted)
 * @param availableMb MiB that can still be written
 */
public record DiskUsage(long usedMb, long availableMb) {
    /** Validates. */
    public DiskUsage {
        if (usedMb < 0 || availableMb < 0) {
            throw new IllegalArgumentException("negative disk usage " + usedMb + "/" + availableMb);
        }
    }
}
