package dev.agentkernel.core.sandbox;

import dev.agentkernel.agent.ExecHandle;
import dev.agentkernel.agent.ExitStatus;
import dev.agentkernel.model.OutputStreamKind;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An interactive command (a shell, usually on a pseudo-terminal) running in a sandbox through
 * its agent, decoupled from any one transport: output waits in a bounded queue until a reader
 * takes it (a full queue holds the command back through the agent's flow control, so nothing
 * is lost and memory is bounded), input and window-size changes go straight to the command.
 *
 * <p>Thread-safe: one reader and any number of writers.
 */
public final class ShellSession implements AutoCloseable {

    private static final int QUEUE_CHUNKS = 256;

    /** What a reader receives. */
    public sealed interface Event {
        /** Output bytes (on a terminal, stdout and stderr arrive merged as stdout). */
        record Output(OutputStreamKind stream, byte[] bytes) implements Event {
            /** Validates. */
            public Output {
                Objects.requireNonNull(stream, "stream");
                Objects.requireNonNull(bytes, "bytes");
            }
        }

        /** The command ended with this exit code (128 + signal if a signal ended it). */
        record Exit(int exitCode) implements Event {
        }
    }

    private final String id;
    private final String sandbox;
    private final BlockingQueue<Event> events = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
    private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
    private volatile ExecHandle handle;
    private volatile boolean ended;

    ShellSession(String id, String sandbox) {
        this.id = id;
        this.sandbox = sandbox;
    }

    /** Connects the started command; called once by the registry. */
    void attach(ExecHandle started) {
        this.handle = started;
        started.onExit().whenComplete((status, failure) -> {
            int code = status != null ? status.exitCode() : (failure != null ? 255 : 0);
            Thread.ofVirtual().start(() -> offerBlocking(new Event.Exit(code)));
        });
    }

    /** The agent's output sink: blocks while the queue is full (flow control holds the command back). */
    void output(OutputStreamKind stream, byte[] bytes, int offset, int length) {
        offerBlocking(new Event.Output(stream, Arrays.copyOfRange(bytes, offset, offset + length)));
    }

    private void offerBlocking(Event event) {
        try {
            while (!ended && !events.offer(event, 100, TimeUnit.MILLISECONDS)) {
                // wait for the reader; a closed session drops output
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The session's identifier. */
    public String id() {
        return id;
    }

    /** The sandbox it runs in. */
    public String sandbox() {
        return sandbox;
    }

    /**
     * The next event, waiting up to {@code wait}; empty if none arrived. After an
     * {@link Event.Exit} nothing more comes.
     */
    public Optional<Event> next(Duration wait) throws InterruptedException {
        touch();
        return Optional.ofNullable(events.poll(wait.toNanos(), TimeUnit.NANOSECONDS));
    }

    /** Sends bytes to the command's input (keystrokes on a terminal). */
    public void input(byte[] bytes) {
        touch();
        if (bytes.length > 0) {
            handle.writeStdin(bytes);
        }
    }

    /** Ends the command's input (on a terminal: the end-of-file character, like Ctrl-D). */
    public void endInput() {
        touch();
        handle.closeStdin();
    }

    /** Changes the terminal's size. */
    public void resize(int rows, int cols) {
        touch();
        handle.resize(rows, cols);
    }

    /** Whether the command has ended. */
    public boolean isDone() {
        return handle == null || handle.isDone();
    }

    /** How long since a reader or writer last used the session. */
    public Duration idleFor() {
        return Duration.ofNanos(System.nanoTime() - lastActivity.get());
    }

    private void touch() {
        lastActivity.set(System.nanoTime());
    }

    /** The exit status, once ended. */
    public Optional<ExitStatus> exitStatus() {
        try {
            return handle == null ? Optional.empty() : handle.await(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Kills the command (its whole process group) and drops pending output. Idempotent. */
    @Override
    public void close() {
        ended = true;
        ExecHandle h = handle;
        if (h != null && !h.isDone()) {
            h.kill();
        }
        events.clear();
    }
}
