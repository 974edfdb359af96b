package dev.agentkernel.core.cgroup;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Reading and writing the small text files of a cgroup filesystem. Package-private. */
final class CgroupFiles {
    private CgroupFiles() {
    }

    static void write(Path file, String value) {
        try {
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new SandboxFailureException("cannot write '" + value + "' to " + file + ": " + reason(e), e);
        }
    }

    static boolean tryWrite(Path file, String value) {
        try {
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The value of {@code key} in a flat keyed file such as {@code memory.events}. */
    static OptionalLong keyed(Path file, String key) {
        Optional<String> text = read(file);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        for (String line : text.get().split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[0].equals(key)) {
                try {
                    return OptionalLong.of(Long.parseLong(parts[1]));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    static List<Long> pids(Path procsFile) {
        List<Long> pids = new ArrayList<>();
        read(procsFile).ifPresent(text -> {
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        });
        return pids;
    }

    static void mkdir(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SandboxFailureException("cannot create control group " + dir + ": " + reason(e)
                    + " (resource limits need root or a delegated cgroup)", e);
        }
    }

    /**
     * Creates a sandbox's own control group. One that exists with processes in it is another
     * sandbox's: joining it would make one sandbox's end kill the other's processes, so it is
     * refused (an empty one, left behind, is taken).
     *
     * @throws SandboxFailureException if it is in use or cannot be made
     */
    static void mkdirNew(Path dir) {
        try {
            try {
                Files.createDirectory(dir);
            } catch (java.nio.file.NoSuchFileException e) {
                Files.createDirectories(dir.getParent()); // the first group under this parent
                Files.createDirectory(dir);
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw new SandboxFailureException("cannot create control group " + dir + ": something that is not a "
                        + "directory is there", e);
            }
            if (!pids(dir.resolve("cgroup.procs")).isEmpty()) {
                throw new SandboxFailureException("control group " + dir + " exists already with processes in it: it is "
                        + "another sandbox's, so this one does not join it", e);
            }
        } catch (IOException e) {
            throw new SandboxFailureException("cannot create control group " + dir + ": " + reason(e)
                    + " (resource limits need root or a delegated cgroup)", e);
        }
    }

    /** Removes an empty cgroup directory; true if gone. */
    static boolean rmdir(Path dir) {
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static List<Path> children(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, Files::isDirectory)) {
            stream.forEach(out::add);
        } catch (IOException e) {
            // unreadable: nothing to reap
        }
        return out;
    }

    /** Whether the group's owner, encoded as the name's prefix before '-', is gone. */
    static boolean ownerGone(Path group) {
        return dev.agentkernel.core.host.OwnerTag.isOrphaned(group.getFileName().toString());
    }

    static String reason(IOException e) {
        String text = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return text == null ? e.getClass().getSimpleName() : text;
    }
}
