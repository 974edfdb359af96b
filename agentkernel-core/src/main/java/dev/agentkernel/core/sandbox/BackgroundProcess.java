package dev.agentkernel.core.sandbox;

import dev.agentkernel.agent.ExecHandle;
import dev.agentkernel.agent.ExitStatus;
import dev.agentkernel.agent.OutputSink;
import dev.agentkernel.model.OutputStreamKind;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * One command running in the background of a sandbox through its agent (in its own process group, so a
 * kill reaches everything it started): its facts, the last part of its output ({@link OutputTail}, a few
 * MiB per stream) and any number of live followers. Created by {@link BackgroundProcesses}. Thread-safe.
 */
public final class BackgroundProcess {

    /** Where a background process is in its life. */
    public enum State {
        /** It runs. */
        RUNNING,
        /** It exited with 0. */
        COMPLETED,
        /** It exited with another code, was killed, or its sandbox stopped. */
        FAILED;

        /** The wire name, e.g. {@code running}. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * How it ended.
     *
     * @param status its exit status (a signal when killed)
     * @param at     when
     * @param reason how, when not by itself ({@code killed on request}, {@code its sandbox stopped})
     */
    public record Ending(ExitStatus status, Instant at, Optional<String> reason) {
        /** Validates. */
        public Ending {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * What a caller sees of it at one moment.
     *
     * @param id        its id in its sandbox
     * @param sandbox   the sandbox
     * @param command   its argv
     * @param pid       its pid in the sandbox (0 if it never started)
     * @param startedAt when it started
     * @param ending    how it ended, if it has
     */
    public record Info(String id, String sandbox, List<String> command, long pid, Instant startedAt,
                       Optional<Ending> ending) {
        /** Validates. */
        public Info {
            command = List.copyOf(command);
            Objects.requireNonNull(ending, "ending");
        }

        /** Running, completed or failed. */
        public State state() {
            if (ending.isEmpty()) {
                return State.RUNNING;
            }
            ExitStatus status = ending.get().status();
            return status instanceof ExitStatus.Exited(int code) && code == 0 ? State.COMPLETED : State.FAILED;
        }
    }

    /**
     * What it wrote so far of each stream: the last part kept, and how many bytes before it were dropped.
     *
     * @param stdout        standard output's kept bytes
     * @param stdoutDropped bytes of standard output dropped before them
     * @param stderr        standard error's kept bytes
     * @param stderrDropped bytes of standard error dropped before them
     */
    public record Output(byte[] stdout, long stdoutDropped, byte[] stderr, long stderrDropped) {
    }

    /** Most bytes a follower may fall behind before output is skipped for it (the logs still have it). */
    static final long FOLLOWER_BACKLOG = 4L << 20;
    private static final Object END = new Object();

    private final String id;
    private final String sandbox;
    private final List<String> command;
    private final Instant startedAt = Instant.now();
    private final Map<OutputStreamKind, OutputTail> tails = new EnumMap<>(OutputStreamKind.class);
    private final List<Follower> followers = new CopyOnWriteArrayList<>();
    private final AtomicReference<Ending> ending = new AtomicReference<>();
    private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    private final Object outputLock = new Object();
    private volatile ExecHandle handle;
    private volatile String endReason;

    BackgroundProcess(String id, String sandbox, List<String> command, int keptBytesPerStream) {
        this.id = id;
        this.sandbox = sandbox;
        this.command = List.copyOf(command);
        tails.put(OutputStreamKind.STDOUT, new OutputTail(keptBytesPerStream));
        tails.put(OutputStreamKind.STDERR, new OutputTail(keptBytesPerStream));
    }

    /** Its id within its sandbox. */
    public String id() {
        return id;
    }

    /** Its facts now. */
    public Info info() {
        ExecHandle h = handle;
        return new Info(id, sandbox, command, h == null ? 0 : h.pid(), startedAt, Optional.ofNullable(ending.get()));
    }

    /** Whether it still runs. */
    public boolean isRunning() {
        return ending.get() == null;
    }

    /** Its output so far (the last part of each stream). */
    public Output output() {
        OutputTail.Kept out = tails.get(OutputStreamKind.STDOUT).kept();
        OutputTail.Kept err = tails.get(OutputStreamKind.STDERR).kept();
        return new Output(out.bytes(), out.dropped(), err.bytes(), err.dropped());
    }

    /**
     * Follows its output: first what is kept so far (stdout, then stderr), then new output as it arrives,
     * to {@code sink}, until it ends or {@code cancelled} turns true. A follower that falls more than a few
     * MiB behind skips output (the kept output still has it).
     *
     * @return how it ended, or empty if the caller stopped following first
     */
    public Optional<Ending> follow(OutputSink sink, BooleanSupplier cancelled) throws InterruptedException {
        Follower follower = new Follower();
        Output kept;
        synchronized (outputLock) {       // nothing arrives between the snapshot and the registration
            kept = output();
            followers.add(follower);
        }
        try {
            replay(sink, OutputStreamKind.STDOUT, kept.stdout(), kept.stdoutDropped());
            replay(sink, OutputStreamKind.STDERR, kept.stderr(), kept.stderrDropped());
            if (ending.get() != null) {
                follower.queue.offer(END);
            }
            while (true) {
                Object next = follower.queue.poll(200, TimeUnit.MILLISECONDS);
                if (next == END) {
                    return Optional.of(ending.get());
                }
                if (next instanceof Chunk chunk) {
                    follower.backlog.addAndGet(-chunk.bytes().length);
                    sink.accept(chunk.stream(), chunk.bytes(), 0, chunk.bytes().length);
                }
                if (next == null && cancelled.getAsBoolean()) {
                    return Optional.empty();
                }
            }
        } finally {
            followers.remove(follower);
        }
    }

    /** Kept bytes to a follower; after dropped bytes, from the next UTF-8 character on. */
    private static void replay(OutputSink sink, OutputStreamKind stream, byte[] bytes, long dropped) {
        int from = 0;
        while (dropped > 0 && from < Math.min(3, bytes.length) && (bytes[from] & 0xC0) == 0x80) {
            from++;
        }
        if (bytes.length > from) {
            sink.accept(stream, bytes, from, bytes.length - from);
        }
    }

    /**
     * Waits up to {@code wait} for it to end.
     *
     * @return how it ended, or empty if it still runs
     */
    public Optional<Ending> await(Duration wait) throws InterruptedException {
        ended.await(wait.toNanos(), TimeUnit.NANOSECONDS);
        return Optional.ofNullable(ending.get());
    }

    // ---- called by BackgroundProcesses -------------------------------------------------------

    /** The agent's sink: appends to the tails and hands a copy to each follower; never blocks. */
    OutputSink.Immediate sink() {
        return (stream, bytes, offset, length) -> {
            synchronized (outputLock) {
                tails.get(stream).append(bytes, offset, length);
                for (Follower f : followers) {
                    if (f.backlog.addAndGet(length) <= FOLLOWER_BACKLOG) {
                        f.queue.offer(new Chunk(stream, java.util.Arrays.copyOfRange(bytes, offset, offset + length)));
                    } else {
                        f.backlog.addAndGet(-length);
                    }
                }
            }
        };
    }

    /** Connects the started command. */
    void attach(ExecHandle started) {
        this.handle = started;
    }

    /** Sends SIGKILL to its process group, remembering why. Does nothing once it has ended. */
    void kill(String reason) {
        ExecHandle h = handle;
        if (isRunning() && h != null) {
            endReason = reason;
            try {
                h.kill();
            } catch (RuntimeException e) {
                // the connection to the agent is gone: the sandbox ends it
            }
        }
    }

    /**
     * Records its end (the first call wins) and wakes the followers.
     *
     * @return whether this call ended it
     */
    boolean end(ExitStatus status, Optional<String> reason) {
        Optional<String> why = reason.isPresent() ? reason : Optional.ofNullable(endReason);
        Ending end = new Ending(status, Instant.now(), why);
        boolean first;
        synchronized (outputLock) {
            first = ending.compareAndSet(null, end);
            if (first) {
                followers.forEach(f -> f.queue.offer(END));
                ended.countDown();
            }
        }
        return first;
    }

    private record Chunk(OutputStreamKind stream, byte[] bytes) {
    }

    private static final class Follower {
        final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        final java.util.concurrent.atomic.AtomicLong backlog = new java.util.concurrent.atomic.AtomicLong();
    }
}
