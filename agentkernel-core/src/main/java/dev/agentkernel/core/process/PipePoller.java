package dev.agentkernel.core.process;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for non-blocking descriptors (the pipes of {@link PipeStreams}) to be ready, for threads
 * that park meanwhile: one platform thread ("ak-pipe-poller") blocks in {@code epoll_wait} for
 * all of them and unparks each waiter when its descriptor is ready. A virtual thread waiting here
 * gives its carrier back, where one blocked in a {@code read(2)} would hold it, as the JDK's own
 * poller does for its sockets and pipes (which cannot be made from a descriptor of ours).
 * Interest is one-shot: each wait registers it again.
 */
final class PipePoller {

    static final int IN = 0x001;
    static final int OUT = 0x004;
    private static final int EPOLLONESHOT = 1 << 30;
    private static final int EPOLL_CLOEXEC = 02000000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;
    private static final int EEXIST = 17;
    private static final int EINTR = 4;
    private static final int EVENTS = 64;
    /** {@code struct epoll_event} is packed on x86-64 (12 bytes), naturally aligned elsewhere (16). */
    private static final boolean PACKED = System.getProperty("os.arch", "").equals("amd64");
    private static final long EVENT_BYTES = PACKED ? 12 : 16;
    private static final long DATA_OFFSET = PACKED ? 4 : 8;

    private static final MethodHandle CREATE = Libc.call("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CTL = Libc.call("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            ADDRESS));
    private static final MethodHandle WAIT = Libc.call("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT,
            JAVA_INT));
    private static final PipePoller INSTANCE = new PipePoller();

    private final int epoll;
    private final Map<Integer, Thread> waiters = new ConcurrentHashMap<>();

    private PipePoller() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            epoll = (int) CREATE.invokeExact(state, EPOLL_CLOEXEC);
            if (epoll < 0) {
                throw new IllegalStateException("epoll_create1: " + Libc.strerror(Libc.errno(state)));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("epoll_create1: " + t, t);
        }
        Thread.ofPlatform().daemon(true).name("ak-pipe-poller").start(this::poll);
    }

    static PipePoller get() {
        return INSTANCE;
    }

    /**
     * Parks the calling thread until {@code fd} is ready for {@code events} ({@link #IN} or
     * {@link #OUT}; a hang-up or an error counts as ready), or until {@link #wake} is called for it
     * ({@code closed} is checked once this thread can be woken: true means there is nothing to wait for).
     *
     * @throws InterruptedIOException if the thread was interrupted
     */
    void await(int fd, int events, BooleanSupplier closed) throws IOException {
        Thread self = Thread.currentThread();
        if (waiters.putIfAbsent(fd, self) != null) {
            throw new IOException("another thread already waits for descriptor " + fd);
        }
        try {
            if (closed.getAsBoolean()) { // closed before this waiter was there for wake() to find
                return;
            }
            control(fd, events | EPOLLONESHOT);
            while (waiters.get(fd) == self) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    self.interrupt();
                    throw new InterruptedIOException("interrupted while waiting for a pipe");
                }
            }
        } finally {
            waiters.remove(fd, self);
        }
    }

    /** Unparks the thread waiting for {@code fd}, if any, and forgets the descriptor (before it is closed). */
    void wake(int fd) {
        Thread waiter = waiters.remove(fd);
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CTL.invokeExact(arena.allocate(Libc.CAPTURE), epoll, EPOLL_CTL_DEL, fd, MemorySegment.NULL);
        } catch (Throwable ignored) {
            // not registered
        }
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
    }

    private void control(int fd, int events) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment event = arena.allocate(16, 8);
            event.set(JAVA_INT, 0, events);
            event.set(JAVA_LONG.withByteAlignment(4), DATA_OFFSET, fd);
            int rc = (int) CTL.invokeExact(state, epoll, EPOLL_CTL_MOD, fd, event);
            if (rc != 0) { // not registered yet (a one-shot registration stays, disarmed, after it fired)
                rc = (int) CTL.invokeExact(state, epoll, EPOLL_CTL_ADD, fd, event);
                if (rc != 0 && Libc.errno(state) == EEXIST) {
                    rc = (int) CTL.invokeExact(state, epoll, EPOLL_CTL_MOD, fd, event);
                }
            }
            if (rc != 0) {
                throw new IOException("epoll_ctl: " + Libc.strerror(Libc.errno(state)));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("epoll_ctl: " + t, t);
        }
    }

    private void poll() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment events = arena.allocate(EVENT_BYTES * EVENTS, 8);
            while (true) {
                int n = (int) WAIT.invokeExact(state, epoll, events, EVENTS, -1);
                if (n < 0 && Libc.errno(state) != EINTR) {
                    throw new IllegalStateException("epoll_wait: " + Libc.strerror(Libc.errno(state)));
                }
                for (int i = 0; i < n; i++) {
                    int fd = (int) events.get(JAVA_LONG.withByteAlignment(4), i * EVENT_BYTES + DATA_OFFSET);
                    Thread waiter = waiters.remove(fd);
                    if (waiter != null) {
                        LockSupport.unpark(waiter);
                    }
                }
            }
        } catch (Throwable t) {
            System.getLogger(PipePoller.class.getName()).log(System.Logger.Level.ERROR, "the pipe poller stopped", t);
        }
    }
}
