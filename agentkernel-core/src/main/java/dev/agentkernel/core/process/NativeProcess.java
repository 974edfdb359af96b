package dev.agentkernel.core.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child started with glibc's {@code posix_spawnp} ({@link PosixSpawn}) instead of the JDK's
 * {@code jspawnhelper}, behind the {@link Process} API the rest of AgentKernel uses.
 *
 * <p>A platform thread of a shared pool ("ak-reaper") blocks in {@code waitpid} for each live
 * child, as the JDK's own reaper does, and runs what depends on {@link #onExit()} (so it has an
 * ordinary thread's stack, where the JDK's reapers have 128 KiB); signals go through the child's pidfd, so a pid reused
 * after the reap is never hit. A child started here has no pipe to this process (its standard
 * streams are inherited, files or {@code /dev/null}; {@link Spawner} starts the others with the
 * JDK); a {@link ForkServer}'s child ({@link #adopted}) may have pipes, through {@link PipeStreams}.
 */
final class NativeProcess extends Process {

    private static final ExecutorService REAPERS = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("ak-reaper-", 0).daemon(true).stackSize(1024 * 1024).factory());
    private static final int SIGTERM = 15;
    private static final int SIGKILL = 9;

    private final int pid;
    private final int pidfd;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final CompletableFuture<Process> exited;
    private boolean closedPidfd; // guarded by exit
    private Streams streams = new Streams(null, null, null); // set once, before the process is handed out

    private NativeProcess(PosixSpawn.Child child) {
        this.pid = child.pid();
        this.pidfd = child.pidfd();
        this.exited = exit.thenApply(code -> this);
    }

    /**
     * A process this JVM did not fork ({@link ForkServer}'s): another process reaps it and
     * reports its end through {@link #ended}; signals go through {@code pidfd}, which this
     * object now owns.
     */
    static NativeProcess adopted(int pid, int pidfd, Streams streams) {
        NativeProcess process = new NativeProcess(new PosixSpawn.Child(pid, pidfd));
        process.streams = streams;
        return process;
    }

    /**
     * This process's ends of the child's standard streams that are pipes (null for the others:
     * inherited, files, {@code /dev/null}).
     */
    record Streams(OutputStream stdin, InputStream stdout, InputStream stderr) {

        /** Closes every end (a start that failed). */
        void close() {
            close(new java.io.Closeable[] {stdin, stdout, stderr});
        }

        /** Closes every end of {@code ends} that is there. */
        static void close(java.io.Closeable[] ends) {
            for (java.io.Closeable end : ends) {
                if (end != null) {
                    try {
                        end.close();
                    } catch (IOException ignored) {
                        // closing our end only
                    }
                }
            }
        }
    }

    /** Runs {@code task} on a reaper thread (where {@link #ended} should run: it runs what waits for the end). */
    static void onReaperThread(Runnable task) {
        REAPERS.execute(task);
    }

    /**
     * Starts {@code builder}'s command with its environment, directory and redirects.
     *
     * @throws IOException worded as {@code ProcessBuilder.start} words it
     */
    static Process start(ProcessBuilder builder) throws IOException {
        return start(builder, -1);
    }

    /** {@link #start(ProcessBuilder)} with this process's descriptor {@code passed} as the child's 3 (-1: none). */
    static Process start(ProcessBuilder builder, int passed) throws IOException {
        List<String> command = List.copyOf(builder.command());
        if (command.isEmpty()) {
            throw new IndexOutOfBoundsException("empty command");
        }
        PosixSpawn.Child child = PosixSpawn.spawn(command, builder.environment(), Optional.ofNullable(builder.directory()),
                stream(builder.redirectInput()), stream(builder.redirectOutput()),
                builder.redirectErrorStream() ? new PosixSpawn.Stream.SameAsStdout() : stream(builder.redirectError()),
                passed);
        NativeProcess process = new NativeProcess(child);
        REAPERS.execute(process::reap);
        return process;
    }

    private static PosixSpawn.Stream stream(ProcessBuilder.Redirect redirect) {
        return switch (redirect.type()) {
            case PIPE -> throw new IllegalArgumentException("a pipe to the child: start it with ProcessBuilder (see Spawner)");
            case INHERIT -> new PosixSpawn.Stream.Inherit();
            case READ -> new PosixSpawn.Stream.Open(redirect.file(), PosixSpawn.O_RDONLY);
            case WRITE -> new PosixSpawn.Stream.Open(redirect.file(), PosixSpawn.O_WRONLY | PosixSpawn.O_CREAT
                    | PosixSpawn.O_TRUNC);
            case APPEND -> new PosixSpawn.Stream.Open(redirect.file(), PosixSpawn.O_WRONLY | PosixSpawn.O_CREAT
                    | PosixSpawn.O_APPEND);
        };
    }

    private void reap() {
        int code = 0;
        RuntimeException failure = null;
        try {
            code = PosixSpawn.waitFor(pid);
        } catch (RuntimeException e) {
            failure = e;
        }
        ended(code, failure);
    }

    /**
     * Waits up to {@code timeoutMillis} for this process to have ended, whoever reaps it (for one
     * {@link #adopted} whose reaper is gone).
     */
    boolean awaitEnd(int timeoutMillis) {
        synchronized (exit) {
            if (closedPidfd || pidfd < 0) {
                return closedPidfd;
            }
        }
        return PosixSpawn.awaitEnd(pidfd, timeoutMillis);
    }

    /** The process has ended with {@code code} (or its end could not be awaited: {@code failure}); first call wins. */
    void ended(int code, RuntimeException failure) {
        synchronized (exit) { // no signal between the close and the completion: the descriptor may be reused
            if (closedPidfd) {
                return;
            }
            PosixSpawn.closeQuietly(pidfd);
            closedPidfd = true;
        }
        if (failure != null) {
            exit.completeExceptionally(failure);
        } else {
            exit.complete(code);
        }
    }

    /** The pipe to the child's standard input, or nothing when it is not a pipe from this process. */
    @Override
    public OutputStream getOutputStream() {
        return streams.stdin() != null ? streams.stdin() : OutputStream.nullOutputStream();
    }

    /** The pipe from the child's standard output, or nothing when it is not a pipe to this process. */
    @Override
    public InputStream getInputStream() {
        return streams.stdout() != null ? streams.stdout() : InputStream.nullInputStream();
    }

    /** The pipe from the child's standard error, or nothing when it is not a pipe to this process. */
    @Override
    public InputStream getErrorStream() {
        return streams.stderr() != null ? streams.stderr() : InputStream.nullInputStream();
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            exit.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public int exitValue() {
        Integer code = exit.getNow(null);
        if (code == null) {
            throw new IllegalThreadStateException("process " + pid + " has not exited");
        }
        return code;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public void destroy() {
        signal(SIGTERM);
    }

    @Override
    public Process destroyForcibly() {
        signal(SIGKILL);
        return this;
    }

    private void signal(int signal) {
        // the pidfd stays open until the reaper closes it; without one, a pid is only signalled while not reaped
        synchronized (exit) {
            if (!closedPidfd) {
                PosixSpawn.signal(pid, pidfd, signal);
            }
        }
    }

    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return exited;
    }

    @Override
    public ProcessHandle toHandle() {
        return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("process " + pid + " has exited"));
    }

    @Override
    public String toString() {
        return "NativeProcess[pid=" + pid + ", exitValue=" + (exit.isDone() ? exit.getNow(null) : "\"not exited\"") + "]";
    }
}
