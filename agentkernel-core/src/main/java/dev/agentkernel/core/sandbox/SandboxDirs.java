package dev.agentkernel.core.sandbox;

import dev.agentkernel.core.disk.DiskImage;
import dev.agentkernel.core.disk.DiskUsage;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The host directories that hold a persistent sandbox's files between stops and starts,
 * bind-mounted at {@code /workspace}, {@code /tmp} and {@code /var/tmp}. Everything else in the
 * sandbox is rebuilt at each start. The host never follows links inside these directories: it
 * only creates and deletes them; the sandbox's own files are read and written by its agent.
 *
 * <p>Two layouts. With a disk limit, {@code <root>/disk.img} is an ext4 image of that size
 * ({@link DiskImage}) mounted at {@code <root>/fs} while the sandbox runs ({@link #open}, {@link
 * #close}), holding {@code workspace/}, {@code tmp/} and {@code var-tmp/}. Without one (a host
 * that cannot mount images, and sandboxes created before disks were limited), the three
 * directories are {@code <root>/{workspace,tmp,var-tmp}} on the host's own file system.
 *
 * @param root the sandbox's directory
 */
public record SandboxDirs(Path root) {

    private static final List<String> DATA = List.of("workspace", "tmp", "var-tmp");

    /** The directories of sandbox {@code name} under {@code sandboxesDir}. */
    public static SandboxDirs of(Path sandboxesDir, String name) {
        return new SandboxDirs(sandboxesDir.resolve(SandboxNames.requireValid(name)));
    }

    /** The size-limited disk of the sandbox (it has one if {@link DiskImage#exists()}). */
    public DiskImage disk() {
        return new DiskImage(root.resolve("disk.img"), root.resolve("fs"));
    }

    /** Whether the sandbox's files are on a size-limited disk of its own. */
    public boolean limited() {
        return disk().exists();
    }

    /** The directory holding {@code workspace/}, {@code tmp/} and {@code var-tmp/}. */
    private Path data() {
        return limited() ? disk().mountPoint() : root;
    }

    /**
     * The directory of the sandbox's writable layer over its image ({@code upper/} and
     * {@code work/} of an overlay, made by the launcher), on the sandbox's disk when it has one:
     * what the sandbox installs into its image is kept there across stops and starts.
     */
    public Path rootLayer() {
        return data().resolve("root-layer");
    }

    /** The directory that is the sandbox's {@code /workspace} (while its disk, if it has one, is mounted). */
    public Path workspace() {
        return data().resolve("workspace");
    }

    /** The upper directory of the sandbox's writable layer over its image: what it changed there. */
    public Path rootChanges() {
        return rootLayer().resolve("upper");
    }

    /**
     * Fills the empty {@code /workspace} with what the image has there (its layers applied in
     * order), owned by the sandbox's ids as the image says: a sandbox made from an image (or a
     * snapshot) starts with the image's workspace, as a Docker volume starts with the image's
     * files. Nothing happens for an image without {@code /workspace}.
     *
     * @throws SandboxFailureException if it cannot
     */
    public void seedWorkspace(List<Path> imageLayers, java.util.function.LongUnaryOperator toHostIds) {
        try {
            Path workspace = workspace();
            try (var entries = Files.list(workspace)) {
                if (entries.findAny().isPresent()) {
                    throw new SandboxFailureException("the workspace of " + root + " is not empty; it is seeded only once");
                }
            }
            new dev.agentkernel.image.store.RootfsFlattener(toHostIds).flattenDirectory(imageLayers, "workspace", workspace);
        } catch (IOException e) {
            throw new SandboxFailureException("cannot copy the image's /workspace into " + workspace() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Empties the writable layer and the workspace (what a restore replaces), never following
     * links. The disk must be open.
     *
     * @throws SandboxFailureException if it cannot
     */
    public void clearFiles() {
        try {
            for (Path dir : List.of(rootLayer(), workspace())) {
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    try (var entries = Files.list(dir)) {
                        for (Path entry : entries.toList()) {
                            deleteTree(entry);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new SandboxFailureException("cannot empty the files of " + root + ": " + e.getMessage(), e);
        }
    }

    /** Whether the directories (or the disk image) exist (a sandbox whose files vanished is broken). */
    public boolean exist() {
        return limited() || Files.isDirectory(root.resolve("workspace"), LinkOption.NOFOLLOW_LINKS)
                && Files.isDirectory(root.resolve("tmp"), LinkOption.NOFOLLOW_LINKS);
    }

    /** Creates the directories on the host's own file system, without a disk limit. */
    public void create() {
        create(OptionalLong.empty());
    }

    /**
     * Creates the directories (0700 for the sandbox's own directory, 01777 for the temporary
     * ones); with {@code diskMb}, on a new disk image of that size, which is left mounted.
     *
     * @throws SandboxFailureException if it cannot; the caller deletes what was made
     */
    public void create(OptionalLong diskMb) {
        try {
            Files.createDirectories(root.getParent());
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
            if (diskMb.isPresent()) {
                disk().create(diskMb.getAsLong());
                disk().mount();
            }
            makeData();
        } catch (IOException | UnsupportedOperationException e) {
            throw new SandboxFailureException("cannot create the sandbox's directories under " + root + ": "
                    + e.getMessage(), e);
        }
    }

    private void makeData() throws IOException {
        Path data = data();
        Files.createDirectories(data.resolve("workspace"));
        Path layer = data.resolve("root-layer");
        if (!Files.isDirectory(layer, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(layer);
            Files.setPosixFilePermissions(layer, PosixFilePermissions.fromString("rwx------"));
        }
        for (String tmp : List.of("tmp", "var-tmp")) {
            Path dir = data.resolve(tmp);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir);
                Files.setAttribute(dir, "unix:mode", 01777);
            }
        }
    }

    /**
     * Makes the files reachable before the sandbox starts: mounts its disk, if it has one
     * (nothing to do otherwise, or if it is mounted already).
     *
     * @throws SandboxFailureException if the disk cannot be mounted
     */
    public void open() {
        if (limited()) {
            disk().mount();
            try {
                makeData();
            } catch (IOException e) {
                throw new SandboxFailureException("cannot create the sandbox's directories in " + data() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /** After the sandbox stopped: unmounts its disk, if it has one. Never throws. */
    public void close() {
        if (limited()) {
            disk().unmount();
        }
    }

    /** How full the sandbox's disk is, while it is mounted; empty without a disk limit. */
    public Optional<DiskUsage> usage() {
        return limited() ? disk().usage() : Optional.empty();
    }

    /** The mounts that make the directories the sandbox's {@code /workspace}, {@code /tmp} and {@code /var/tmp}. */
    public List<Mount> mounts(boolean readOnlyWorkspace) {
        Path data = data();
        return List.of(new Mount(data.resolve(DATA.get(0)), "/workspace", readOnlyWorkspace),
                new Mount(data.resolve(DATA.get(1)), "/tmp", false),
                new Mount(data.resolve(DATA.get(2)), "/var/tmp", false));
    }

    /**
     * Writes each placeholder into its own file of a fresh {@code secret-files} directory of this
     * sandbox and returns the read-only mount that shows it at {@code /run/agentkernel/secrets}
     * (placeholders only: the values never reach the sandbox).
     */
    public Mount secretFiles(java.util.Map<String, String> placeholders) {
        Path dir = root.resolve("secret-files");
        try {
            deleteTree(dir);
            Files.createDirectories(dir);
            for (var entry : placeholders.entrySet()) {
                Files.writeString(dir.resolve(entry.getKey()), entry.getValue());
                Files.setPosixFilePermissions(dir.resolve(entry.getKey()),
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new dev.agentkernel.model.SandboxFailureException("cannot write the secrets' placeholder files in "
                    + dir + ": " + e.getMessage(), e);
        }
        return new Mount(dir, dev.agentkernel.core.secret.SecretBindings.FILES_DIR, true);
    }

    /**
     * Unmounts the disk and deletes everything, never following symbolic links. Never throws;
     * returns whether all is gone.
     */
    public boolean delete() {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        if (disk().isMounted() && !disk().unmount()) {
            return false;
        }
        try {
            deleteTree(root);
            return true;
        } catch (IOException e) {
            System.getLogger(SandboxDirs.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot delete " + root + ": " + e.getMessage());
            return false;
        }
    }

    /**
     * Deletes {@code top} and, if it is a directory, everything under it, never following
     * symbolic links (a link is deleted, not what it points to); entries that vanish meanwhile
     * are skipped. Used for every tree of a sandbox's or a volume's own files.
     */
    public static void deleteTree(Path top) throws IOException {
        if (!Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(top);
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
