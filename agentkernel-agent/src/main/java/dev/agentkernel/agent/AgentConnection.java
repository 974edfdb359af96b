package dev.agentkernel.agent;

import dev.agentkernel.agent.AgentProtocol.Frame;
import dev.agentkernel.agent.AgentProtocol.MalformedFrameException;
import dev.agentkernel.agent.AgentProtocol.Request;
import dev.agentkernel.agent.AgentProtocol.Response;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.SandboxFailureException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection to one running agent, over its process's stdin and stdout. One virtual
 * thread reads every response and hands it to the operation of its channel; any number of
 * threads may call the methods at once (writes are serialised, operations interleave on the
 * wire). Blocking methods wait for the agent's answer; an interrupt makes them throw
 * {@link SandboxFailureException} with the interrupt flag restored (except
 * {@link ExecHandle#await()}, which throws {@link InterruptedException}).
 *
 * <p>Failures are the model's exceptions: {@link dev.agentkernel.model.NotFoundException} for a missing
 * file, program or directory, {@link InvalidRequestException} for a directory where a file was
 * expected (or the reverse) and other invalid arguments, {@link SandboxFailureException} for
 * anything else, including a dead or misbehaving agent.
 *
 * <p>Closing the connection closes the agent's stdin: the agent then SIGKILLs the process groups
 * of all commands it started and exits.
 */
public final class AgentConnection implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AgentConnection.class.getName());
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    /** Receives one channel's responses on the reader thread; must not block. */
    interface Listener {
        /** A response for the channel. */
        void onResponse(Response response);

        /** The connection failed or was closed; no more responses will come. */
        void onFailure(AgentKernelException failure);
    }

    private final OutputStream toAgent;
    private final InputStream fromAgent;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Map<Integer, Listener> channels = new ConcurrentHashMap<>();
    private final AtomicInteger lastChannel = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread reader;
    private volatile AgentKernelException failure;
    private volatile String protocolViolation;

    /**
     * Connects to an agent that is already running.
     *
     * @param toAgent   the agent's stdin, e.g. {@link Process#getOutputStream()}
     * @param fromAgent the agent's stdout, e.g. {@link Process#getInputStream()}
     */
    public AgentConnection(OutputStream toAgent, InputStream fromAgent) {
        this.toAgent = new BufferedOutputStream(Objects.requireNonNull(toAgent, "toAgent"),
                AgentProtocol.HEADER_BYTES + AgentProtocol.CHUNK);
        this.fromAgent = new BufferedInputStream(Objects.requireNonNull(fromAgent, "fromAgent"),
                2 * AgentProtocol.CHUNK);
        this.reader = Thread.ofVirtual().name("ak-agent-reader").start(this::readResponses);
    }

    /**
     * Starts a command. Returns once the agent has started it.
     *
     * @param sink receives its output (see {@link OutputSink} for threading)
     * @throws dev.agentkernel.model.NotFoundException if the program or working directory does not exist
     */
    public ExecHandle exec(ExecRequest request, OutputSink sink) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(sink, "sink");
        int channel = newChannel();
        ExecHandle handle = new ExecHandle(this, channel, sink, request.tty());
        register(channel, handle.listener());
        TerminalSize size = request.terminal().orElse(TerminalSize.DEFAULT);
        try {
            send(new Request.Exec(channel, request.argv(), request.envEntries(), request.workdir().orElse(""),
                    request.tty(), request.root(), size.rows(), size.cols()));
            handle.awaitStarted();
            return handle;
        } catch (RuntimeException e) {
            forget(channel);
            handle.abandon();
            throw e;
        }
    }

    /**
     * Streams a regular file of the sandbox into {@code sink} (not closed).
     *
     * @return the number of bytes read
     * @throws dev.agentkernel.model.NotFoundException if it does not exist
     * @throws InvalidRequestException if it is a directory or not a regular file
     */
    public long readFile(String path, OutputStream sink) {
        requirePath(path);
        Objects.requireNonNull(sink, "sink");
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        int channel = newChannel();
        register(channel, queueing(queue));
        boolean finished = false;
        try {
            send(new Request.ReadFile(channel, path));
            long total = 0;
            while (true) {
                switch (take(queue, "read " + path)) {
                    case Response.FileData d -> {
                        try {
                            sink.write(d.data());
                        } catch (IOException e) {
                            throw new SandboxFailureException("cannot store the contents of " + path + ": " + e.getMessage(), e);
                        }
                        total += d.data().length;
                        sendQuietly(new Request.Window(channel, d.data().length));
                    }
                    case Response.FileEnd end -> {
                        finished = true;
                        return total;
                    }
                    case Response.Error e -> {
                        finished = true;
                        throw AgentErrors.forFile(e, path);
                    }
                    case Object other -> throw unexpected(other, "read " + path);
                }
            }
        } finally {
            forget(channel);
            if (!finished) {
                sendQuietly(new Request.Cancel(channel));
            }
        }
    }

    /** Reads a whole regular file of the sandbox. See {@link #readFile(String, OutputStream)}. */
    public byte[] readFile(String path) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        readFile(path, bytes);
        return bytes.toByteArray();
    }

    /**
     * Creates or truncates a regular file of the sandbox and fills it from {@code data} (read to
     * its end, not closed). The file gets exactly {@code mode}. Parent directories are not created.
     * If anything fails half-way, the file keeps what was written so far.
     *
     * @param mode permission bits, e.g. {@code 0644}
     * @return the number of bytes written
     * @throws dev.agentkernel.model.NotFoundException if the parent directory does not exist
     * @throws InvalidRequestException if the path is a directory or not a regular file
     */
    public long writeFile(String path, InputStream data, int mode) {
        requirePath(path);
        Objects.requireNonNull(data, "data");
        if (mode < 0 || mode > 07777) {
            throw new InvalidRequestException("file mode must be between 0 and 07777 (octal), got 0" + Integer.toOctalString(mode));
        }
        CompletableFuture<Response> result = new CompletableFuture<>();
        int channel = newChannel();
        register(channel, completing(result));
        boolean ended = false;
        try {
            send(new Request.WriteFile(channel, mode, path));
            byte[] buffer = new byte[AgentProtocol.CHUNK];
            while (!result.isDone()) {
                int n;
                try {
                    n = data.readNBytes(buffer, 0, buffer.length);
                } catch (IOException e) {
                    throw new SandboxFailureException("cannot read the data to write to " + path + ": " + e.getMessage(), e);
                }
                if (n == 0) {
                    break;
                }
                send(new Request.WriteData(channel, Arrays.copyOf(buffer, n)));
            }
            if (!result.isDone()) {
                send(new Request.WriteEnd(channel));
                ended = true;
            }
            return switch (await(result, "write " + path)) {
                case Response.Ok ok -> ok.value();
                case Response.Error e -> throw AgentErrors.forFile(e, path);
                case Response other -> throw unexpected(other, "write " + path);
            };
        } finally {
            forget(channel);
            if (!ended) {
                sendQuietly(new Request.Cancel(channel));
            }
        }
    }

    /** Writes {@code data} to a file of the sandbox. See {@link #writeFile(String, InputStream, int)}. */
    public long writeFile(String path, byte[] data, int mode) {
        return writeFile(path, new ByteArrayInputStream(data), mode);
    }

    /**
     * Deletes a file (not a directory) of the sandbox.
     *
     * @throws dev.agentkernel.model.NotFoundException if it does not exist
     * @throws InvalidRequestException if it is a directory
     */
    public void deleteFile(String path) {
        requirePath(path);
        switch (call(channel -> new Request.DeleteFile(channel, path), "delete " + path)) {
            case Response.Ok ok -> { }
            case Response.Error e -> throw AgentErrors.forFile(e, path);
            case Response other -> throw unexpected(other, "delete " + path);
        }
    }

    /**
     * Creates the directories of {@code path} that do not exist yet, each with {@code mode}, as
     * {@code mkdir -p} does (links to directories are followed, as the sandbox sees them).
     *
     * @return how many directories were made
     * @throws InvalidRequestException if a part of the path is a file
     */
    public long mkdirs(String path, int mode) {
        requirePath(path);
        return switch (call(channel -> new Request.Mkdirs(channel, mode, path), "mkdir " + path)) {
            case Response.Ok ok -> ok.value();
            case Response.Error e -> throw AgentErrors.forFile(e, path);
            case Response other -> throw unexpected(other, "mkdir " + path);
        };
    }

    /**
     * Type, size, mode and modification time of a path of the sandbox, following symlinks.
     *
     * @throws dev.agentkernel.model.NotFoundException if it does not exist
     */
    public FileStat stat(String path) {
        requirePath(path);
        return switch (call(channel -> new Request.Stat(channel, path), "stat " + path)) {
            case Response.StatResult s -> new FileStat(switch (s.type()) {
                case 1 -> FileStat.Type.FILE;
                case 2 -> FileStat.Type.DIRECTORY;
                default -> FileStat.Type.OTHER;
            }, s.size(), s.mode(), Instant.ofEpochMilli(s.mtimeMillis()));
            case Response.Error e -> throw AgentErrors.forFile(e, path);
            case Response other -> throw unexpected(other, "stat " + path);
        };
    }

    /**
     * Checks that the agent answers.
     *
     * @return the round-trip time
     */
    public Duration ping() {
        long start = System.nanoTime();
        byte[] token = ByteBuffer.allocate(8).putLong(start).array();
        return switch (call(channel -> new Request.Ping(channel, token), "answer a ping")) {
            case Response.Pong p when Arrays.equals(p.data(), token) -> Duration.ofNanos(System.nanoTime() - start);
            case Response other -> throw unexpected(other, "answer a ping");
        };
    }

    /**
     * What was wrong with the frame that ended this connection, when the agent broke the protocol:
     * the agent is AgentKernel's own, so a malformed frame means something in the sandbox reached
     * it (a policy violation), never a result to believe.
     */
    public Optional<String> protocolViolation() {
        return Optional.ofNullable(protocolViolation);
    }

    /** Whether the connection can still be used (not closed, the agent not gone). */
    public boolean isOpen() {
        return !closed.get() && failure == null;
    }

    /**
     * Closes the agent's stdin, so that it kills every command it started and exits, then waits
     * briefly for its stdout to end. Pending operations fail with {@link SandboxFailureException}.
     * Idempotent; never throws.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean locked = false;
        try {
            locked = writeLock.tryLock(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            toAgent.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the agent's stdin failed", e);
        } finally {
            if (locked) {
                writeLock.unlock();
            }
        }
        try {
            if (!reader.join(Duration.ofMillis(CLOSE_WAIT_MILLIS))) {
                LOG.log(System.Logger.Level.WARNING, "the sandbox agent did not end its output after its input was closed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            fromAgent.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the agent's stdout failed", e);
        }
        fail(new SandboxFailureException("the connection to the sandbox agent is closed"));
    }

    // ---- package-private plumbing, used by ExecHandle ----------------------------------------

    /** Writes one request. @throws SandboxFailureException if the connection is closed or broken */
    void send(Request request) {
        Frame frame = request.toFrame();
        writeLock.lock();
        try {
            requireOpen();
            frame.writeTo(toAgent);
            toAgent.flush();
        } catch (IOException e) {
            SandboxFailureException broken = new SandboxFailureException(
                    "cannot write to the sandbox agent (has it exited?): " + e.getMessage(), e);
            fail(broken);
            throw broken;
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes a request whose loss does not matter (flow control, cancellation) if still possible. */
    void sendQuietly(Request request) {
        if (isOpen()) {
            try {
                send(request);
            } catch (AgentKernelException e) {
                LOG.log(System.Logger.Level.DEBUG, "dropped " + request.getClass().getSimpleName(), e);
            }
        }
    }

    /** Stops routing responses of {@code channel}. */
    void forget(int channel) {
        channels.remove(channel);
    }

    // ---- internals ---------------------------------------------------------------------------

    private void readResponses() {
        AgentKernelException end;
        try {
            while (true) {
                Frame frame = Frame.readFrom(fromAgent, AgentProtocol.MAX_RESPONSE_PAYLOAD);
                if (frame == null) {
                    end = new SandboxFailureException(closed.get()
                            ? "the connection to the sandbox agent is closed"
                            : "the sandbox agent exited (its output ended)");
                    break;
                }
                Response response = Response.fromFrame(frame);
                Listener listener = channels.get(response.channel());
                if (listener != null) {
                    listener.onResponse(response);
                } else if (response instanceof Response.Error e) {
                    LOG.log(System.Logger.Level.DEBUG, "sandbox agent error on channel " + e.channel() + ": " + e.message());
                }
            }
        } catch (MalformedFrameException e) {
            protocolViolation = e.getMessage();
            end = new SandboxFailureException("the sandbox agent sent a malformed frame (" + e.getMessage()
                    + "); the sandbox can no longer be trusted and is stopped", e);
        } catch (IOException e) {
            end = new SandboxFailureException(closed.get()
                    ? "the connection to the sandbox agent is closed"
                    : "cannot read from the sandbox agent: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            end = new SandboxFailureException("internal error while reading from the sandbox agent: " + e, e);
        }
        fail(end);
    }

    /** Marks the connection unusable (first cause wins) and fails every open channel. */
    private void fail(AgentKernelException cause) {
        synchronized (this) {
            if (failure == null) {
                failure = cause;
            }
        }
        for (Integer channel : channels.keySet()) {
            Listener listener = channels.remove(channel);
            if (listener != null) {
                listener.onFailure(failure);
            }
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new SandboxFailureException("the connection to the sandbox agent is closed");
        }
        AgentKernelException f = failure;
        if (f != null) {
            throw new SandboxFailureException(f.getMessage(), f);
        }
    }

    private int newChannel() {
        int channel = lastChannel.incrementAndGet();
        return channel != 0 ? channel : lastChannel.incrementAndGet();
    }

    private void register(int channel, Listener listener) {
        channels.put(channel, listener);
        try {
            requireOpen();
        } catch (AgentKernelException e) {
            channels.remove(channel);
            throw e;
        }
    }

    private Response call(java.util.function.IntFunction<Request> request, String what) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        int channel = newChannel();
        register(channel, completing(result));
        try {
            send(request.apply(channel));
            return await(result, what);
        } finally {
            forget(channel);
        }
    }

    private static Listener completing(CompletableFuture<Response> result) {
        return new Listener() {
            @Override
            public void onResponse(Response response) {
                result.complete(response);
            }

            @Override
            public void onFailure(AgentKernelException e) {
                result.completeExceptionally(e);
            }
        };
    }

    private static Listener queueing(BlockingQueue<Object> queue) {
        return new Listener() {
            @Override
            public void onResponse(Response response) {
                queue.add(response);
            }

            @Override
            public void onFailure(AgentKernelException e) {
                queue.add(e);
            }
        };
    }

    /** Waits for a future completed by the reader; failures become {@link SandboxFailureException}. */
    static <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxFailureException("interrupted while waiting for the sandbox agent to " + what, e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static Object take(BlockingQueue<Object> queue, String what) {
        Object item;
        try {
            item = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxFailureException("interrupted while waiting for the sandbox agent to " + what, e);
        }
        if (item instanceof Throwable t) {
            throw rethrow(t);
        }
        return item;
    }

    /** A fresh exception for this thread's stack, keeping the type of the model's exceptions. */
    static AgentKernelException rethrow(Throwable t) {
        if (t instanceof SandboxFailureException e) {
            return new SandboxFailureException(e.getMessage(), e);
        }
        if (t instanceof AgentKernelException e) {
            return e;
        }
        return new SandboxFailureException("sandbox agent operation failed: " + t, t);
    }

    private static SandboxFailureException unexpected(Object response, String what) {
        return new SandboxFailureException("the sandbox agent answered " + response.getClass().getSimpleName()
                + " when asked to " + what);
    }

    private static void requirePath(String path) {
        if (path == null || path.isEmpty() || path.indexOf('\0') >= 0) {
            throw new InvalidRequestException("a file path must be a non-empty string without NUL bytes, got '" + path + "'");
        }
    }
}
