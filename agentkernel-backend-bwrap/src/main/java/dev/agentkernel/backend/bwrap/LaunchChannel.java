package dev.agentkernel.backend.bwrap;

import dev.agentkernel.core.process.Fifo;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two FIFOs through which bubblewrap reports the sandbox's first pid ({@code --info-fd})
 * and waits before running the command ({@code --block-fd}), in a private per-execution
 * directory. Both are opened read-write here before bubblewrap starts, so that neither side
 * ever blocks in {@code open}.
 */
final class LaunchChannel implements AutoCloseable {

    private static final Pattern CHILD_PID = Pattern.compile("\"child-pid\"\\s*:\\s*(\\d+)\\s*[,}]");
    private final Path dir;
    private final RandomAccessFile info;
    private final RandomAccessFile block;
    private final AtomicBoolean abandoned = new AtomicBoolean();

    private LaunchChannel(Path dir, RandomAccessFile info, RandomAccessFile block) {
        this.dir = dir;
        this.info = info;
        this.block = block;
    }

    static LaunchChannel create(Path dir) {
        try {
            Files.createDirectories(dir);
            Path info = Fifo.create(dir.resolve("info"));
            Path block = Fifo.create(dir.resolve("block"));
            return new LaunchChannel(dir, new RandomAccessFile(info.toFile(), "rw"), new RandomAccessFile(block.toFile(), "rw"));
        } catch (IOException e) {
            deleteTree(dir);
            throw new SandboxFailureException("cannot create launch channel in " + dir + ": " + e.getMessage(), e);
        }
    }

    Path infoPath() {
        return dir.resolve("info");
    }

    Path blockPath() {
        return dir.resolve("block");
    }

    Path dir() {
        return dir;
    }

    /**
     * Reads the sandbox's first pid from bubblewrap's info document.
     *
     * @throws SandboxFailureException if bubblewrap exits first or nothing comes within {@code timeout}
     */
    long awaitChildPid(Process bwrap, Duration timeout) {
        long[] found = {-1};
        StringBuilder text = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[256];
            try {
                while (!abandoned.get()) {
                    int n = info.read(buffer);
                    if (n < 0) {
                        return;
                    }
                    text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    Matcher m = CHILD_PID.matcher(text);
                    if (m.find()) {
                        found[0] = Long.parseLong(m.group(1));
                        return;
                    }
                }
            } catch (IOException e) {
                // closed
            }
        });
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (reader.isAlive()) {
                if (!bwrap.isAlive() || System.nanoTime() > deadline) {
                    abandoned.set(true);
                    info.write('\n'); // wake the reader: we hold a write end too
                    reader.join(1000);
                    break;
                }
                reader.join(Duration.ofMillis(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandoned.set(true);
        } catch (IOException e) {
            abandoned.set(true);
        }
        if (found[0] <= 0) {
            throw new SandboxFailureException(bwrap.isAlive()
                    ? "bubblewrap did not report its sandbox within " + timeout.toSeconds() + " s"
                    : "bubblewrap exited before the sandbox started");
        }
        requireSandboxChild(bwrap, found[0]);
        awaitLoopback(found[0], bwrap);
        return found[0];
    }

    /**
     * Refuses to attach anything to a process that is not bubblewrap's own child in a
     * network namespace other than ours: a wrong pid must never get a network interface.
     * {@code bwrap} is bubblewrap itself or the launcher that stays its parent ({@code --reap}).
     */
    private static void requireSandboxChild(Process bwrap, long pid) {
        Optional<ProcessHandle> parent = ProcessHandle.of(pid).flatMap(ProcessHandle::parent);
        boolean child = parent.map(p -> p.pid() == bwrap.pid()
                || p.parent().map(grand -> grand.pid() == bwrap.pid()).orElse(false)).orElse(false);
        String ours = netns("self");
        String theirs = netns(Long.toString(pid));
        if (!child || theirs.isEmpty() || theirs.equals(ours)) {
            throw new SandboxFailureException("bubblewrap reported pid " + pid
                    + ", which is not its sandbox; refusing to attach the network");
        }
    }

    /**
     * Waits until bubblewrap has brought up the sandbox's loopback interface: it does so
     * after reporting the pid, over netlink, and a concurrent slirp4netns configuration
     * makes one of the two fail. Up means the kernel added the local route of 127.0.0.1.
     */
    private static void awaitLoopback(long pid, Process bwrap) {
        Path fib = Path.of("/proc", Long.toString(pid), "net", "fib_trie");
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        long pause = 100_000; // backs off to 1 ms: reading /proc costs CPU that other sandboxes need
        while (System.nanoTime() < deadline && bwrap.isAlive()) {
            try {
                if (Files.readString(fib).contains("127.0.0.1")) {
                    return;
                }
            } catch (IOException e) {
                return; // the process is gone; the caller notices
            }
            java.util.concurrent.locks.LockSupport.parkNanos(pause);
            pause = Math.min(1_000_000, pause * 2);
        }
    }

    private static String netns(String pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", pid, "ns", "net")).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** Lets bubblewrap go on and run the command. */
    void release() {
        try {
            block.write('1');
        } catch (IOException e) {
            throw new SandboxFailureException("cannot release the sandbox: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            info.close();
        } catch (IOException ignored) {
            // best effort
        }
        try {
            block.close();
        } catch (IOException ignored) {
            // best effort
        }
        deleteTree(dir);
    }

    /** Deletes the entries of {@code dir} named after an AgentKernel process that is gone ({@link OwnerTag}). Never throws. */
    static void deleteOrphanedEntries(Path dir) {
        try (var entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
                if (dev.agentkernel.core.host.OwnerTag.isOrphaned(entry.getFileName().toString())) {
                    deleteTree(entry);
                }
            }
        } catch (IOException ignored) {
            // nothing to reap
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
