package dev.agentkernel.core.task;

import dev.agentkernel.core.disk.DiskImage;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The directory every task sees at {@code /workspace}. AgentKernel's default one
 * ({@code <state>/workspace}) is, where disks are limited, an ext4 image
 * ({@code <state>/workspace.img}) mounted there while the daemon runs, so tasks cannot fill the
 * host's disk; a directory the user configured is theirs and used as it is. A default workspace
 * that already holds files from before disks were limited is kept as it is, unlimited (a
 * warning says so; empty it, or move its files away, to get the limit).
 *
 * @param dir  the directory mounted at {@code /workspace}
 * @param disk its disk image, if it is limited
 */
public record TaskWorkspace(Path dir, Optional<DiskImage> disk) {

    private static final System.Logger LOG = System.getLogger(TaskWorkspace.class.getName());

    /** A workspace the user configured: used as it is. */
    public static TaskWorkspace configured(Path dir) {
        return new TaskWorkspace(dir, Optional.empty());
    }

    /**
     * AgentKernel's default workspace {@code dir}, on a disk image of {@code diskMb} next to it
     * if given, mounted now.
     *
     * @throws SandboxFailureException if it cannot be created or mounted
     */
    public static TaskWorkspace ofState(Path dir, OptionalLong diskMb) {
        try {
            if (diskMb.isEmpty()) {
                Files.createDirectories(dir);
                return configured(dir);
            }
            DiskImage disk = new DiskImage(dir.resolveSibling(dir.getFileName() + ".img"), dir);
            if (!disk.exists()) {
                if (!disk.isMounted() && !isEmpty(dir)) {
                    LOG.log(System.Logger.Level.WARNING, "the task workspace " + dir + " holds files from before disks"
                            + " were limited; it stays unlimited (move its files away to get a " + diskMb.getAsLong()
                            + " MiB limit)");
                    return configured(dir);
                }
                disk.create(diskMb.getAsLong());
            }
            disk.mount();
            return new TaskWorkspace(dir, Optional.of(disk));
        } catch (IOException e) {
            throw new SandboxFailureException("cannot create the task workspace " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Unmounts its disk, if it has one. Never throws. */
    public void close() {
        disk.ifPresent(DiskImage::unmount);
    }
}
