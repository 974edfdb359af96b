package dev.agentkernel.core.disk;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes what a daemon that died left of its disks: file systems of its images still mounted
 * and loop devices still attached to its images. An image is the daemon's when its file is
 * under the daemon's state directory; nothing else is touched. Run once when a daemon starts,
 * before it mounts anything (its sandboxes died with the old daemon).
 */
public final class DiskReclaimer {

    private static final System.Logger LOG = System.getLogger(DiskReclaimer.class.getName());
    private static final Path SYS_BLOCK = Path.of("/sys/block");

    private DiskReclaimer() {
    }

    /**
     * Unmounts every file system of an image under {@code stateDir} and detaches every loop
     * device still attached to one. Never throws.
     *
     * @return how many mounts and loop devices it removed
     */
    public static int reclaim(Path stateDir) {
        Path state = stateDir.toAbsolutePath().normalize();
        int removed = 0;
        try {
            Set<String> ours = new HashSet<>();
            for (Path loop : loopDevices()) {
                backingFile(loop).filter(f -> f.startsWith(state)).ifPresent(f -> ours.add("/dev/" + loop.getFileName()));
            }
            if (ours.isEmpty()) {
                return 0;
            }
            List<MountTable.Entry> mounts = MountTable.read();
            for (MountTable.Entry mount : mounts.reversed()) {
                if (ours.contains(mount.source()) && DiskImage.unmountAt(mount.mountPoint())) {
                    LOG.log(System.Logger.Level.INFO, "unmounted " + mount.mountPoint() + " left by a daemon that died");
                    removed++;
                }
            }
            Set<String> stillMounted = new HashSet<>();
            MountTable.read().forEach(m -> stillMounted.add(m.source()));
            for (String device : ours) {
                if (!stillMounted.contains(device) && attached(device)) {
                    try {
                        HostCommand.run(List.of("losetup", "-d", device));
                        LOG.log(System.Logger.Level.INFO, "detached " + device + " left by a daemon that died");
                        removed++;
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "cannot detach " + device + ": " + e.getMessage());
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot look for disks a dead daemon left: " + e.getMessage());
        }
        return removed;
    }

    /** Loop devices attached to a file under {@code dir} (for tests and diagnostics). */
    public static List<String> attachedUnder(Path dir) {
        Path under = dir.toAbsolutePath().normalize();
        return loopDevices().stream().filter(l -> backingFile(l).filter(f -> f.startsWith(under)).isPresent())
                .map(l -> "/dev/" + l.getFileName()).sorted().toList();
    }

    private static boolean attached(String device) {
        return backingFile(SYS_BLOCK.resolve(Path.of(device).getFileName().toString())).isPresent();
    }

    private static List<Path> loopDevices() {
        if (!Files.isDirectory(SYS_BLOCK)) {
            return List.of();
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(SYS_BLOCK, "loop*")) {
            List<Path> loops = new java.util.ArrayList<>();
            entries.forEach(loops::add);
            return loops;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The file a loop device is attached to, without the kernel's {@code " (deleted)"} suffix. */
    private static java.util.Optional<Path> backingFile(Path loop) {
        try {
            String text = Files.readString(loop.resolve("loop").resolve("backing_file")).strip();
            if (text.endsWith(" (deleted)")) {
                text = text.substring(0, text.length() - " (deleted)".length());
            }
            return text.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(Path.of(text));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
