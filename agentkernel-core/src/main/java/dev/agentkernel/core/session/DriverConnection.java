package dev.agentkernel.core.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The host side of the driver protocol: writes one JSON request line to the driver's stdin and
 * reads the matching JSON answer line from its stdout.
 *
 * <p>Requests are serialized: {@link #execute} may be called from several threads, one request
 * runs at a time. A request with a timeout is limited by the driver itself (the answer then has
 * error type {@code Timeout} and the session keeps its state); if the driver does not answer
 * within the timeout plus {@link #RESPONSE_GRACE}, the connection calls its interrupter (for a
 * local process: SIGINT) and waits {@link #INTERRUPT_GRACE} more; a driver that still does not
 * answer is treated as dead. When the driver's stdout ends (it exited or was killed) the request
 * fails with {@link InterpreterDiedException}, as does every later request.
 *
 * <p>Answer lines that are not JSON or carry another id are skipped. An answer line longer than
 * {@link #MAX_LINE_BYTES} is dropped and reported as an {@code OutputTooLarge} error.
 */
public final class DriverConnection implements AutoCloseable {

    /** Reads and writes the drivers' JSON lines. */
    static final ObjectMapper JSON = new ObjectMapper();

    /** How long past a request's timeout the host waits for the driver's own timeout answer. */
    public static final Duration RESPONSE_GRACE = Duration.ofSeconds(2);
    /** How long after sending an interrupt the host waits before declaring the driver dead. */
    public static final Duration INTERRUPT_GRACE = Duration.ofSeconds(5);
    /** The longest answer line accepted. */
    public static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

    private static final Object EOF = new Object();
    private static final Object TOO_LONG = new Object();

    private final String name;
    private final OutputStream toDriver;
    private final Supplier<OptionalInt> exitStatus;
    private final Runnable interrupter;
    private final BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
    private final ReentrantLock lock = new ReentrantLock(true); // requests run in the order they came
    /** Characters of answer lines queued and not yet read, at most; older lines are dropped beyond it. */
    static final long MAX_QUEUED_CHARS = 2L * MAX_LINE_BYTES;
    private static final int SMALL_LINE = 64 * 1024;
    private final java.util.concurrent.atomic.AtomicLong queuedChars = new java.util.concurrent.atomic.AtomicLong();
    private ByteArrayOutputStream partial = new ByteArrayOutputStream(256);        // guarded by this
    private boolean partialTooLong;                                                // guarded by this
    private long nextId = 1;
    private volatile String deadReason;
    private volatile Integer deadStatus;
    private volatile boolean unresponsive;

    /**
     * Creates a connection and starts the thread that reads the driver's answers.
     *
     * @param name        how the driver is named in messages, e.g. {@code python}
     * @param toDriver    the driver's stdin
     * @param fromDriver  the driver's stdout
     * @param exitStatus  asked once the driver's stdout has ended, for its exit status if known
     *                    (may wait briefly for the process to be reaped)
     * @param interrupter sends the driver SIGINT (a no-op if that is impossible)
     */
    public DriverConnection(String name, OutputStream toDriver, InputStream fromDriver,
                            Supplier<OptionalInt> exitStatus, Runnable interrupter) {
        this(name, toDriver, exitStatus, interrupter);
        Objects.requireNonNull(fromDriver, "fromDriver");
        Thread.ofVirtual().name("ak-driver-reader-" + name).start(() -> readLoop(fromDriver));
    }

    /**
     * Creates a connection whose answers are pushed to it: call {@link #accept} with the
     * driver's stdout as it arrives and {@link #endOfOutput} when it ends (for a driver whose
     * output comes as callbacks, e.g. through the in-sandbox agent).
     */
    public DriverConnection(String name, OutputStream toDriver, Supplier<OptionalInt> exitStatus, Runnable interrupter) {
        this.name = Objects.requireNonNull(name, "name");
        this.toDriver = Objects.requireNonNull(toDriver, "toDriver");
        this.exitStatus = Objects.requireNonNull(exitStatus, "exitStatus");
        this.interrupter = Objects.requireNonNull(interrupter, "interrupter");
    }

    /** A connection without exit-status information or interrupter. */
    public DriverConnection(String name, OutputStream toDriver, InputStream fromDriver) {
        this(name, toDriver, fromDriver, OptionalInt::empty, () -> { });
    }

    /**
     * A connection to a driver running as a local process started with
     * {@link InterpreterTemplate#command}; SIGINT is sent with {@code kill -INT <pid>}.
     */
    public static DriverConnection forProcess(InterpreterTemplate template, Process process) {
        return new DriverConnection(template.id(), process.getOutputStream(), process.getInputStream(),
                () -> {
                    try {
                        if (process.waitFor(2, TimeUnit.SECONDS)) {
                            return OptionalInt.of(process.exitValue());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return OptionalInt.empty();
                },
                () -> sendSigint(process.pid()));
    }

    /** Sends SIGINT to a local process (or, for a negative pid, process group) with {@code kill}. */
    public static void sendSigint(long pid) {
        try {
            new ProcessBuilder("kill", "-INT", "--", Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // best effort
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code code} without a time limit. */
    public DriverResult execute(String code) {
        return execute(code, null);
    }

    /**
     * Runs {@code code} in the session's persistent state and returns the driver's answer.
     *
     * @param timeout the driver-enforced time limit, or {@code null} for none
     * @throws InterpreterDiedException if the driver is gone or stops answering
     */
    public DriverResult execute(String code, Duration timeout) {
        Objects.requireNonNull(code, "code");
        lock.lock();
        try {
            checkAlive();
            long id = nextId++;
            DriverRequest request = new DriverRequest(id, code, timeout);
            try {
                toDriver.write((request.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
                toDriver.flush();
            } catch (IOException e) {
                throw died("cannot send request " + id + " (" + e.getMessage() + ")");
            }
            return awaitAnswer(id, timeout);
        } finally {
            lock.unlock();
        }
    }

    /** Sends the driver SIGINT, aborting the running request (it answers {@code Interrupted}). */
    public void interrupt() {
        interrupter.run();
    }

    /** Whether the driver has not been found dead yet. */
    public boolean isAlive() {
        return deadReason == null;
    }

    /** Closes the driver's stdin; the driver exits when it sees the end of its input. */
    @Override
    public void close() {
        try {
            toDriver.close();
        } catch (IOException e) {
            // already gone
        }
    }

    private DriverResult awaitAnswer(long id, Duration timeout) {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + saturatedNanos(timeout.plus(RESPONSE_GRACE));
        boolean interrupted = false;
        while (true) {
            Object item;
            try {
                long wait = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
                item = taken(wait == Long.MAX_VALUE ? lines.take() : lines.poll(Math.max(0, wait), TimeUnit.NANOSECONDS));
            } catch (InterruptedException e) {
                // The caller gave up (e.g. the server is stopping): stop the code, take its answer so that
                // the connection stays in step, and keep the session.
                DriverResult abandoned = drainAfterInterrupt(id);
                Thread.currentThread().interrupt();
                if (abandoned != null) {
                    return abandoned;
                }
                deadReason = "the waiting thread was interrupted during request " + id + " and the driver did not answer";
                throw new InterpreterDiedException("the " + name + " interpreter connection was abandoned: " + deadReason, e);
            }
            if (item == null) {
                if (!interrupted) {
                    interrupted = true;
                    interrupter.run();
                    deadline = System.nanoTime() + INTERRUPT_GRACE.toNanos();
                    continue;
                }
                unresponsive = true;
                throw died("it did not answer request " + id + " within its timeout and did not react to SIGINT");
            }
            if (item == EOF) {
                lines.offer(EOF);
                throw died("it exited while running request " + id);
            }
            if (item == TOO_LONG) {
                return new DriverResult(id, "", "", false,
                        new CodeError("OutputTooLarge", "the answer exceeded " + MAX_LINE_BYTES + " bytes and was dropped", ""), 0);
            }
            DriverResult result = parse((String) item);
            if (result != null && result.id() == id) {
                return result;
            }
        }
    }

    /** After the waiting thread was interrupted: SIGINT, then the answer to {@code id} within the grace, or null. */
    private DriverResult drainAfterInterrupt(long id) {
        interrupter.run();
        long deadline = System.nanoTime() + INTERRUPT_GRACE.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Object item;
            try {
                item = taken(lines.poll(left, TimeUnit.NANOSECONDS));
            } catch (InterruptedException again) {
                continue; // interrupted again: keep draining until the deadline
            }
            if (item == null) {
                return null;
            }
            if (item == EOF) {
                lines.offer(EOF);
                return null;
            }
            if (item instanceof String line) {
                DriverResult result = parse(line);
                if (result != null && result.id() == id) {
                    return result;
                }
            }
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    private void checkAlive() {
        if (deadReason != null) {
            throw new InterpreterDiedException(message(deadReason), deadStatus, unresponsive);
        }
    }

    private InterpreterDiedException died(String reason) {
        if (deadReason == null) {
            OptionalInt status = OptionalInt.empty();
            if (reason.startsWith("it exited")) {
                status = exitStatus.get();
            }
            deadStatus = status.isPresent() ? status.getAsInt() : null;
            deadReason = reason;
        }
        return new InterpreterDiedException(message(reason), deadStatus, unresponsive);
    }

    private String message(String reason) {
        String status = deadStatus == null ? "" : " (exit status " + deadStatus + ")";
        return "the " + name + " interpreter died" + status + ": " + reason + "; the session's state is lost";
    }

    static DriverResult parse(String line) {
        JsonNode m;
        try {
            m = JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
        if (m == null || !m.isObject() || !m.path("id").isNumber()) {
            return null;
        }
        CodeError error = null;
        JsonNode e = m.path("error");
        if (e.isObject()) {
            error = new CodeError(text(e.get("type")), text(e.get("message")), text(e.get("traceback")));
        }
        boolean success = m.path("success").asBoolean(false);
        if (!success && error == null) {
            error = new CodeError("Error", "", "");
        }
        return new DriverResult(m.path("id").asLong(), text(m.get("stdout")), text(m.get("stderr")), success,
                success ? null : error, m.path("execution_time_ms").asLong(0));
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? "" : node.isTextual() ? node.asText() : node.toString();
    }

    /**
     * Takes bytes of the driver's stdout: every complete line is an answer. Called by one
     * thread at a time, in order.
     */
    public synchronized void accept(byte[] buf, int offset, int length) {
        int start = offset;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (buf[i] == '\n') {
                if (!partialTooLong) {
                    partial.write(buf, start, i - start);
                    queue(partial.toString(StandardCharsets.UTF_8));
                } else {
                    lines.offer(TOO_LONG);
                }
                clearPartial();
                partialTooLong = false;
                start = i + 1;
            }
        }
        if (!partialTooLong) {
            partial.write(buf, start, end - start);
            if (partial.size() > MAX_LINE_BYTES) {
                partialTooLong = true;
                clearPartial();
            }
        }
    }

    /**
     * Queues an answer line. Only lines that may be JSON objects are kept, and never more than
     * {@link #MAX_QUEUED_CHARS} in all: code that writes to the driver's stdout itself cannot make
     * the daemon hold its output (the oldest lines, which no request waits for, go first).
     */
    private void queue(String line) {
        if (line.isBlank() || line.stripLeading().charAt(0) != '{') {
            return;
        }
        lines.offer(line);
        if (queuedChars.addAndGet(line.length()) > MAX_QUEUED_CHARS) {
            while (queuedChars.get() > MAX_QUEUED_CHARS) {
                Object dropped = lines.poll();
                if (dropped == null) {
                    break;
                }
                taken(dropped);
            }
        }
    }

    private Object taken(Object item) {
        if (item instanceof String line) {
            queuedChars.addAndGet(-line.length());
        }
        return item;
    }

    /** Empties the partial line, giving back the memory of a long one. */
    private void clearPartial() {
        if (partial.size() > SMALL_LINE) {
            partial = new ByteArrayOutputStream(256);
        } else {
            partial.reset();
        }
    }

    /** The driver's stdout has ended (it exited or was killed). */
    public void endOfOutput() {
        lines.offer(EOF);
    }

    private void readLoop(InputStream fromDriver) {
        try (InputStream in = new BufferedInputStream(fromDriver, 65536)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                accept(buf, 0, n);
            }
        } catch (IOException e) {
            // treated as the end of the driver's output
        } finally {
            endOfOutput();
        }
    }
}
