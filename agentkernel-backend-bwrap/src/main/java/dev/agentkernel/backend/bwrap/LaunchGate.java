package dev.agentkernel.backend.bwrap;

import dev.agentkernel.core.process.Fifo;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The FIFO of the launcher's {@code --wait}: the launcher makes the sandbox's network namespace,
 * then waits here until {@link #open} is called, so that the sandbox's egress rules hold before
 * its first packet. Held open read-write here, so neither side blocks in {@code open}; closing
 * it without {@link #open} calls the launch off.
 */
final class LaunchGate implements AutoCloseable {

    private final Path fifo;
    private final RandomAccessFile handle;

    private LaunchGate(Path fifo, RandomAccessFile handle) {
        this.fifo = fifo;
        this.handle = handle;
    }

    /** Creates the FIFO {@code path} (its directory too). */
    static LaunchGate create(Path path) {
        try {
            Files.createDirectories(path.getParent());
            Files.deleteIfExists(path);
            Fifo.create(path);
            return new LaunchGate(path, new RandomAccessFile(path.toFile(), "rw"));
        } catch (IOException e) {
            throw new SandboxFailureException("cannot create the launch gate " + path + ": " + e.getMessage(), e);
        }
    }

    /** The launcher's arguments. */
    java.util.List<String> launchArguments() {
        return java.util.List.of("--wait", fifo.toString());
    }

    /** Lets the launcher go on. */
    void open() {
        try {
            handle.write('g');
        } catch (IOException e) {
            throw new SandboxFailureException("cannot release the sandbox's launch: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            handle.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            Files.deleteIfExists(fifo);
        } catch (IOException ignored) {
            // the runtime directory's reaper removes it
        }
    }
}
