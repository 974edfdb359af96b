package dev.agentkernel.core.disk;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A size-limited file system: an ext4 file system in a sparse image file, loop-mounted on the
 * host at {@code mountPoint} while a sandbox uses it. What the sandbox writes there can never
 * take more of the host's disk than the image's size; past it, writes fail with {@code ENOSPC}.
 * Creating, mounting and unmounting need root ({@code mount(8)} with {@code -o loop}, whose loop
 * device is detached again by the kernel when the file system is unmounted).
 *
 * <p>The file system is mounted {@code nodev,nosuid,noatime}. Its root belongs to host root;
 * the directories the sandbox writes are made inside it and given to sandbox root by the
 * backend, as any of AgentKernel's own directories.
 *
 * @param image      the image file
 * @param mountPoint the directory it is mounted on
 */
public record DiskImage(Path image, Path mountPoint) {

    private static final System.Logger LOG = System.getLogger(DiskImage.class.getName());
    /** Smallest image: ext4 with its journal needs a few MiB of its own. */
    public static final long MIN_MB = 16;

    /** Validates and normalizes. */
    public DiskImage {
        image = Objects.requireNonNull(image, "image").toAbsolutePath().normalize();
        mountPoint = Objects.requireNonNull(mountPoint, "mountPoint").toAbsolutePath().normalize();
    }

    /** Whether the image file exists. */
    public boolean exists() {
        return Files.isRegularFile(image, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Creates the image, {@code sizeMb} MiB and sparse, with an empty ext4 file system in it
     * (no blocks reserved for root, no {@code lost+found} left).
     *
     * @throws SandboxFailureException if it cannot; no image is left then
     */
    public void create(long sizeMb) {
        if (sizeMb < MIN_MB) {
            throw new IllegalArgumentException("disk size " + sizeMb + " MiB is below " + MIN_MB);
        }
        try {
            Files.createDirectories(image.getParent());
            try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
                file.setLength(sizeMb * 1024 * 1024);
            }
            // The file is new and sparse, so it reads as zeros: the journal and inode tables need not be
            // written (lazy_*_init, and noinit_itable at mount), which keeps the image a few MiB on the host.
            HostCommand.run(List.of("mkfs.ext4", "-q", "-F", "-m", "0", "-E",
                    "nodiscard,lazy_itable_init=1,lazy_journal_init=1,root_owner=0:0", "-L", "agentkernel",
                    image.toString()));
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(image);
            } catch (IOException ignored) {
                // reported below
            }
            throw e instanceof SandboxFailureException s ? s
                    : new SandboxFailureException("cannot create the disk image " + image + ": " + e.getMessage(), e);
        }
    }

    /**
     * Mounts the image on the mount point (created if needed); does nothing if something is
     * mounted there already (a daemon that restarted after a crash finds its mounts).
     *
     * @throws SandboxFailureException if it cannot
     */
    public void mount() {
        if (isMounted()) {
            return;
        }
        try {
            Files.createDirectories(mountPoint);
        } catch (IOException e) {
            throw new SandboxFailureException("cannot create " + mountPoint + ": " + e.getMessage(), e);
        }
        HostCommand.run(List.of("mount", "-t", "ext4", "-o", "loop,nodev,nosuid,noatime,noinit_itable", image.toString(),
                mountPoint.toString()));
        try {
            Files.deleteIfExists(mountPoint.resolve("lost+found")); // e2fsck makes it again if it needs one
        } catch (IOException ignored) {
            // not empty: left as it is
        }
    }

    /** Whether something is mounted on the mount point. */
    public boolean isMounted() {
        return MountTable.at(mountPoint).isPresent();
    }

    /**
     * Unmounts the file system, lazily if it is busy (it then goes, and its loop device with it,
     * when the last user lets go). Never throws; returns whether nothing is mounted there now.
     */
    public boolean unmount() {
        return unmountAt(mountPoint);
    }

    /** Unmounts whatever is mounted at {@code mountPoint}, as {@link #unmount()}. */
    static boolean unmountAt(Path mountPoint) {
        for (int i = 0; i < 8 && MountTable.at(mountPoint).isPresent(); i++) {
            try {
                HostCommand.run(List.of("umount", mountPoint.toString()));
            } catch (SandboxFailureException busy) {
                try {
                    HostCommand.run(List.of("umount", "-l", mountPoint.toString()));
                    LOG.log(System.Logger.Level.INFO, mountPoint + " was busy; unmounted lazily");
                } catch (SandboxFailureException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot unmount " + mountPoint + ": " + e.getMessage());
                    return false;
                }
            }
        }
        return MountTable.at(mountPoint).isEmpty();
    }

    /** How full the file system is, while it is mounted. */
    public Optional<DiskUsage> usage() {
        if (!isMounted()) {
            return Optional.empty();
        }
        try {
            FileStore store = Files.getFileStore(mountPoint);
            long mib = 1024L * 1024;
            long used = store.getTotalSpace() - store.getUnallocatedSpace();
            return Optional.of(new DiskUsage((used + mib - 1) / mib, store.getUsableSpace() / mib));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Unmounts and deletes the image and the (then empty) mount point. Never throws; returns whether both are gone. */
    public boolean delete() {
        boolean unmounted = unmount();
        try {
            Files.deleteIfExists(image);
            if (unmounted) {
                Files.deleteIfExists(mountPoint);
            }
            return unmounted;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete " + image + ": " + e.getMessage());
            return false;
        }
    }
}
