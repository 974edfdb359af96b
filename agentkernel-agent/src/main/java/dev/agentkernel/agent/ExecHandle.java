package dev.agentkernel.agent;

import dev.agentkernel.agent.AgentProtocol.Request;
import dev.agentkernel.agent.AgentProtocol.Response;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.SandboxFailureException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A command the agent started ({@link AgentConnection#exec}): write its stdin, resize its
 * terminal, signal its process group, wait for its end. Output goes to the {@link OutputSink}
 * given to {@code exec}, from one virtual thread per command; {@link #await()} returns only
 * after the sink has seen all of it. Thread-safe.
 */
public final class ExecHandle {

    private static final System.Logger LOG = System.getLogger(ExecHandle.class.getName());
    private static final Object ABANDONED = new Object();

    private final AgentConnection connection;
    private final int channel;
    private final OutputSink sink;
    private final boolean tty;
    private final CompletableFuture<Long> started = new CompletableFuture<>();
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final BlockingQueue<Object> output = new LinkedBlockingQueue<>();
    private final ReentrantLock stdinOrder = new ReentrantLock();   // one writeStdin at a time
    private final ReentrantLock creditLock = new ReentrantLock();
    private final Condition creditChanged = creditLock.newCondition();
    private long stdinCredit = AgentProtocol.WINDOW;                 // guarded by creditLock
    private boolean stdinClosed;                                      // guarded by stdinOrder
    private boolean sinkFailed;                                       // the one thread that calls the sink

    ExecHandle(AgentConnection connection, int channel, OutputSink sink, boolean tty) {
        this.connection = connection;
        this.channel = channel;
        this.sink = sink;
        this.tty = tty;
        Thread.ofVirtual().name("ak-exec-" + channel).start(this::deliver);
    }

    /** The command's process id inside the sandbox (also its process group and session id). */
    public long pid() {
        return started.join();
    }

    /** Whether the command runs on a pseudo-terminal. */
    public boolean tty() {
        return tty;
    }

    /**
     * Sends bytes to the command's stdin (with a terminal: as typed). Blocks while the command
     * does not consume its input fast enough. Input for a command that has ended is dropped.
     *
     * @throws IllegalStateException after {@link #closeStdin()}
     */
    public void writeStdin(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        stdinOrder.lock();
        try {
            if (stdinClosed) {
                throw new IllegalStateException("standard input of this command was already closed");
            }
            while (length > 0) {
                int n;
                creditLock.lock();
                try {
                    while (stdinCredit == 0 && !exit.isDone()) {
                        creditChanged.await();
                    }
                    if (exit.isDone()) {
                        return;
                    }
                    n = (int) Math.min(Math.min(length, AgentProtocol.CHUNK), stdinCredit);
                    stdinCredit -= n;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SandboxFailureException("interrupted while writing to the standard input of a command", e);
                } finally {
                    creditLock.unlock();
                }
                connection.send(new Request.Stdin(channel, Arrays.copyOfRange(bytes, offset, offset + n)));
                offset += n;
                length -= n;
            }
        } finally {
            stdinOrder.unlock();
        }
    }

    /** Sends all of {@code bytes} to the command's stdin. See {@link #writeStdin(byte[], int, int)}. */
    public void writeStdin(byte[] bytes) {
        writeStdin(bytes, 0, bytes.length);
    }

    /**
     * Ends the command's stdin (with a terminal: sends the terminal's end-of-file character,
     * which ends input only at the start of a line). Idempotent.
     */
    public void closeStdin() {
        stdinOrder.lock();
        try {
            if (!stdinClosed) {
                stdinClosed = true;
                if (!exit.isDone()) {
                    connection.send(new Request.Stdin(channel, new byte[0]));
                }
            }
        } finally {
            stdinOrder.unlock();
        }
    }

    /** The command's stdin as a stream: {@code write} is {@link #writeStdin}, {@code close} is {@link #closeStdin}. */
    public OutputStream stdin() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                writeStdin(new byte[] {(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writeStdin(b, off, len);
            }

            @Override
            public void close() {
                closeStdin();
            }
        };
    }

    /**
     * Changes the size of the command's terminal; the kernel sends it SIGWINCH.
     *
     * @throws InvalidRequestException if the command has no terminal or the size is invalid
     */
    public void resize(int rows, int cols) {
        if (!tty) {
            throw new InvalidRequestException("only a command started with a terminal can be resized");
        }
        TerminalSize size = new TerminalSize(rows, cols);
        if (!exit.isDone()) {
            connection.send(new Request.Resize(channel, size.rows(), size.cols()));
        }
    }

    /**
     * Sends a signal to the command's whole process group (it and everything it started that
     * stayed in the group). Does nothing once the command has ended.
     *
     * @param signo a Linux signal number, e.g. 15 for SIGTERM or 9 for SIGKILL
     */
    public void signal(int signo) {
        if (signo < 1 || signo > 64) {
            throw new InvalidRequestException("signal number must be between 1 and 64, got " + signo);
        }
        if (!exit.isDone()) {
            connection.send(new Request.Signal(channel, signo));
        }
    }

    /** Sends SIGKILL to the command's process group. */
    public void kill() {
        signal(9);
    }

    /**
     * Waits until the command has ended and all its output was delivered to the sink.
     *
     * @throws SandboxFailureException if the connection to the agent broke first
     */
    public ExitStatus await() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw AgentConnection.rethrow(e.getCause());
        }
    }

    /** Like {@link #await()} but gives up after {@code wait}; empty if the command still runs. */
    public Optional<ExitStatus> await(Duration wait) throws InterruptedException {
        try {
            return Optional.of(exit.get(wait.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw AgentConnection.rethrow(e.getCause());
        }
    }

    /** Completes like {@link #await()}, for callers that do not want to block. */
    public CompletableFuture<ExitStatus> onExit() {
        return exit.copy();
    }

    /** Whether the command has ended and its output was delivered. */
    public boolean isDone() {
        return exit.isDone();
    }

    // ---- called by AgentConnection ------------------------------------------------------------

    int channel() {
        return channel;
    }

    void awaitStarted() {
        AgentConnection.await(started, "start a command");
    }

    /** The command never started: stop the delivery thread. */
    void abandon() {
        output.add(ABANDONED);
    }

    AgentConnection.Listener listener() {
        return new AgentConnection.Listener() {
            @Override
            public void onResponse(Response response) {
                switch (response) {
                    case Response.Started s -> started.complete(s.pid());
                    case Response.Window w -> addCredit(Integer.toUnsignedLong(w.bytes()));
                    case Response.Error e when !started.isDone() -> started.completeExceptionally(AgentErrors.forExec(e));
                    // Never from a sound agent; without this, exec() would wait forever for a STARTED that
                    // cannot come (the EXIT forgets the channel, so not even the connection's end reaches it).
                    case Response.Exit x when !started.isDone() -> {
                        started.completeExceptionally(new SandboxFailureException("the sandbox agent reported the end of the"
                                + " command on channel " + channel + " before its start"));
                        output.add(response);
                    }
                    case Response.Error e ->
                            LOG.log(System.Logger.Level.DEBUG, "sandbox agent error on channel " + channel + ": " + e.message());
                    // An immediate sink is fed here, on the reader thread; the flow-control credit is still sent
                    // by the delivery thread, since writing to the agent from the reader could deadlock.
                    case Response.Stdout o when sink instanceof OutputSink.Immediate -> {
                        feed(OutputStreamKind.STDOUT, o.data());
                        output.add(new Credit(o.data().length));
                    }
                    case Response.Stderr o when sink instanceof OutputSink.Immediate -> {
                        feed(OutputStreamKind.STDERR, o.data());
                        output.add(new Credit(o.data().length));
                    }
                    default -> output.add(response);
                }
            }

            @Override
            public void onFailure(AgentKernelException failure) {
                started.completeExceptionally(failure);
                output.add(failure);
            }
        };
    }

    // ---- internals ----------------------------------------------------------------------------

    private void addCredit(long bytes) {
        creditLock.lock();
        try {
            stdinCredit += bytes;
            creditChanged.signalAll();
        } finally {
            creditLock.unlock();
        }
    }

    /** Delivery thread: output to the sink (then credit back to the agent), finally the exit. */
    private void deliver() {
        try {
            while (true) {
                Object item = output.take();
                switch (item) {
                    case Credit c -> connection.sendQuietly(new Request.Window(channel, c.bytes()));
                    case Response.Stdout s -> emit(OutputStreamKind.STDOUT, s.data());
                    case Response.Stderr s -> emit(OutputStreamKind.STDERR, s.data());
                    case Response.Exit x -> {
                        connection.forget(channel);
                        finish(null, x.signal() != 0 ? new ExitStatus.Signaled(x.signal()) : new ExitStatus.Exited(x.code()));
                        return;
                    }
                    case AgentKernelException e -> {
                        finish(e, null);
                        return;
                    }
                    default -> {
                        if (item == ABANDONED) {
                            finish(new SandboxFailureException("the command did not start"), null);
                            return;
                        }
                        LOG.log(System.Logger.Level.DEBUG, "ignored unexpected response on channel " + channel + ": " + item);
                    }
                }
            }
        } catch (InterruptedException e) {
            finish(new SandboxFailureException("output delivery was interrupted", e), null);
        }
    }

    /** Output an immediate sink already received, whose credit the delivery thread returns to the agent. */
    private record Credit(int bytes) {
    }

    private void emit(OutputStreamKind kind, byte[] data) {
        feed(kind, data);
        connection.sendQuietly(new Request.Window(channel, data.length));
    }

    private void feed(OutputStreamKind kind, byte[] data) {
        if (!sinkFailed) {
            try {
                sink.accept(kind, data, 0, data.length);
            } catch (RuntimeException e) {
                sinkFailed = true;
                LOG.log(System.Logger.Level.WARNING, "output sink failed; discarding the rest of the command's output", e);
            }
        }
    }

    private void finish(AgentKernelException failure, ExitStatus status) {
        if (failure != null) {
            exit.completeExceptionally(failure);
        } else {
            exit.complete(status);
        }
        addCredit(0);   // wake writers waiting for credit: their input is now dropped
    }
}
