package dev.agentkernel.core.host;

import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one daemon of a state directory: an exclusive lock on {@code STATE/state.lock} (holding the owner's
 * pid), taken before the daemon looks at anything there. A second daemon on the same directory is refused at
 * once instead of taking the first one's mounted disks, loop devices and session directories for what a daemon
 * that died left behind. The kernel releases the lock when its process ends, however it ends.
 */
public final class StateLock implements AutoCloseable {

    /** The lock file's name in the state directory. */
    public static final String FILE = "state.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StateLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code stateDir} for this process.
     *
     * @throws ConflictException       if another process holds it (naming its pid when the file says it)
     * @throws SandboxFailureException if the lock file cannot be opened
     */
    public static StateLock acquire(Path stateDir) {
        Path file = stateDir.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(stateDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw new ConflictException("another AgentKernel daemon" + holder + " is using the state directory "
                        + stateDir + "; stop it first ('agentkernel daemon stop', or end that process), or give this one "
                        + "another state directory (AGENTKERNEL_STATE_DIR)");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new StateLock(channel, lock);
        } catch (java.nio.channels.OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new ConflictException("this process already runs a daemon on the state directory " + stateDir);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new SandboxFailureException("cannot lock the state directory " + stateDir + " (" + file + "): "
                    + e.getMessage(), e);
        }
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            channel.read(buffer, 0);
            String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
            return pid.matches("[0-9]{1,10}") ? " (pid " + pid + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** Releases the lock (the file stays: removing it would race with the next daemon's lock). */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel's close releases it too
        }
        closeQuietly(channel);
    }
}
