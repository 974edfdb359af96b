package dev.agentkernel.core.detect;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The only file-system access of detection, confined to one directory: it lists the
 * directory's direct entries and reads its {@code Procfile}, nothing else. It never
 * recurses and never follows symbolic links (a {@code Procfile} that is a link is ignored).
 * Failures are not errors: a directory that is missing or cannot be read simply has no
 * entries, and a {@code Procfile} that cannot be read is absent.
 */
final class ProjectDirectory {

    /** How much of a {@code Procfile} is read; the rest is ignored. */
    static final int MAX_PROCFILE_BYTES = 64 * 1024;

    private final Path dir;

    /** A view of {@code dir}; nothing is read yet. */
    ProjectDirectory(Path dir) {
        this.dir = dir;
    }

    /** The names of the directory's direct entries, in directory order; empty if it cannot be listed. */
    List<String> entryNames() {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (IOException | DirectoryIteratorException | SecurityException e) {
            return List.of();
        }
        return names;
    }

    /** Whether the entry {@code name} is itself a directory; a symbolic link to one is not. */
    boolean isDirectory(String name) {
        try {
            return Files.isDirectory(dir.resolve(name), LinkOption.NOFOLLOW_LINKS);
        } catch (SecurityException e) {
            return false;
        }
    }

    /** The text of the directory's {@code Procfile} (its first {@value #MAX_PROCFILE_BYTES} bytes), if it is a readable regular file. */
    Optional<String> procfileText() {
        Path file = dir.resolve(Procfile.FILE_NAME);
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                return Optional.empty();
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(new String(in.readNBytes(MAX_PROCFILE_BYTES), StandardCharsets.UTF_8));
            }
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }
}
