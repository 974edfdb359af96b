package dev.agentkernel.core.sandbox;

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

/**
 * The host directories that hold a persistent sandbox's files between stops and starts:
 * {@code <state>/sandboxes/<name>/{workspace,tmp,var-tmp}}, bind-mounted at
 * {@code /workspace}, {@code /tmp} and {@code /var/tmp}. Everything else in the sandbox is
 * rebuilt at each start. The host never follows links inside these directories: it only
 * creates and deletes them; the sandbox's own files are read and written by its agent.
 *
 * @param root the sandbox's directory
 */
public record SandboxDirs(Path root) {

    /** The directories of sandbox {@code name} under {@code sandboxesDir}. */
    public static SandboxDirs of(Path sandboxesDir, String name) {
        return new SandboxDirs(sandboxesDir.resolve(SandboxNames.requireValid(name)));
    }

    /** Whether the directories exist (a sandbox whose directories vanished is broken). */
    public boolean exist() {
        return Files.isDirectory(root.resolve("workspace"), LinkOption.NOFOLLOW_LINKS)
                && Files.isDirectory(root.resolve("tmp"), LinkOption.NOFOLLOW_LINKS);
    }

    /** Creates the directories (0700 for the sandbox's own directory, 01777 for the temporary ones). */
    public void create() {
        try {
            Files.createDirectories(root.getParent());
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
            Files.createDirectories(root.resolve("workspace"));
            for (String tmp : List.of("tmp", "var-tmp")) {
                Path dir = Files.createDirectories(root.resolve(tmp));
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
                Files.setAttribute(dir, "unix:mode", 01777);
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new SandboxFailureException("cannot create the sandbox's directories under " + root + ": "
                    + e.getMessage(), e);
        }
    }

    /** The mounts that make the directories the sandbox's {@code /workspace}, {@code /tmp} and {@code /var/tmp}. */
    public List<Mount> mounts(boolean readOnlyWorkspace) {
        return List.of(new Mount(root.resolve("workspace"), "/workspace", readOnlyWorkspace),
                new Mount(root.resolve("tmp"), "/tmp", false),
                new Mount(root.resolve("var-tmp"), "/var/tmp", false));
    }

    /** Deletes everything, never following symbolic links. Never throws; returns whether all is gone. */
    public boolean delete() {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
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
            return true;
        } catch (IOException e) {
            System.getLogger(SandboxDirs.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot delete " + root + ": " + e.getMessage());
            return false;
        }
    }
}
