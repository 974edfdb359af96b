package dev.agentkernel.cli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The daemon's log file: its stdout and stderr, appended across starts. A start reads only
 * what was appended after its own offset, to learn the address and to show why it failed.
 *
 * @param path the log file
 */
record DaemonLog(Path path) {

    /** A log larger than this is moved to {@code daemon.log.1} when the next daemon starts. */
    static final long ROTATE_BYTES = 10L * 1024 * 1024;
    private static final int MAX_READ = 1024 * 1024;

    /** Its size in bytes, 0 when it does not exist. */
    long size() throws IOException {
        try {
            return Files.size(path);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** Moves a log larger than {@link #ROTATE_BYTES} aside, replacing an older one. */
    void rotateIfLarge() throws IOException {
        if (size() > ROTATE_BYTES) {
            Files.move(path, path.resolveSibling(path.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Appends one line (e.g. a marker before a start). */
    void append(String line) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        Files.writeString(path, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** The text appended after {@code offset} (at most its first megabyte). */
    String readFrom(long offset) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r")) {
            long length = file.length();
            if (length <= offset) {
                return "";
            }
            byte[] buffer = new byte[(int) Math.min(MAX_READ, length - offset)];
            file.seek(offset);
            file.readFully(buffer);
            return new String(buffer, StandardCharsets.UTF_8);
        } catch (java.io.FileNotFoundException e) {
            return "";
        }
    }

    /** The last {@code count} non-blank lines of {@code text}. */
    static List<String> lastLines(String text, int count) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        return lines.subList(Math.max(0, lines.size() - count), lines.size());
    }
}
