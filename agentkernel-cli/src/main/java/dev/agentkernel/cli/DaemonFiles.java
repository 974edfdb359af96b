package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The daemon's files in the state directory: {@code daemon.pid} (the pid, one line),
 * {@code daemon.json} (its {@link DaemonInfo}), {@code daemon.log} (its output) and
 * {@code daemon.lock} (held while a {@code daemon start} is under way).
 *
 * @param dir the state directory ({@code HostContext.stateDir()})
 */
record DaemonFiles(Path dir) {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    Path pidFile() {
        return dir.resolve("daemon.pid");
    }

    Path infoFile() {
        return dir.resolve("daemon.json");
    }

    Path logFile() {
        return dir.resolve("daemon.log");
    }

    Path lockFile() {
        return dir.resolve("daemon.lock");
    }

    /** The pid in a pid file's text: its first line, a positive whole number; empty otherwise. */
    static OptionalLong parsePid(String text) {
        String first = text.lines().findFirst().orElse("").strip();
        if (first.isEmpty() || first.length() > 18 || !first.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        long pid = Long.parseLong(first);
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** Whether a pid file exists (valid or not). */
    boolean hasPidFile() {
        return Files.exists(pidFile());
    }

    /** The pid in the pid file; empty when there is none or it is not a pid. */
    OptionalLong readPid() throws IOException {
        try {
            return parsePid(Files.readString(pidFile(), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
    }

    /** Writes the pid file (whole or not at all). */
    void writePid(long pid) throws IOException {
        writeAtomically(pidFile(), pid + "\n");
    }

    /** The recorded address; empty when there is none or it cannot be read. */
    Optional<DaemonInfo> readInfo() throws IOException {
        try {
            JsonNode node = MAPPER.readTree(Files.readString(infoFile(), StandardCharsets.UTF_8));
            return DaemonInfo.fromJson(node);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** {@code api-key}: the daemon's own API key, written by {@code serve} (owner-only). */
    Path apiKeyFile() {
        return dir.resolve("api-key");
    }

    /** The daemon's own API key; empty when there is none or it cannot be read (another user's daemon). */
    Optional<String> readApiKey() {
        try {
            String key = Files.readString(apiKeyFile(), StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            return key.isEmpty() ? Optional.empty() : Optional.of(key);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** Writes {@code daemon.json} (whole or not at all). */
    void writeInfo(DaemonInfo info) throws IOException {
        writeAtomically(infoFile(), MAPPER.writeValueAsString(info.toJson(MAPPER)) + "\n");
    }

    /** Removes the pid file and {@code daemon.json}; the log stays. */
    void remove() throws IOException {
        Files.deleteIfExists(pidFile());
        Files.deleteIfExists(infoFile());
    }

    /**
     * Creates the state directory and waits for the start lock; closing the result releases it
     * (so does the end of the process).
     */
    Closeable lock() throws IOException {
        Files.createDirectories(dir);
        FileChannel channel = FileChannel.open(lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            channel.lock();
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void writeAtomically(Path target, String text) throws IOException {
        Files.createDirectories(dir);
        Path tmp = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
