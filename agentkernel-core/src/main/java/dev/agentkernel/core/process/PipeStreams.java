package dev.agentkernel.core.process;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/**
 * Pipes to a child that this JVM did not fork ({@link ForkServer}'s): {@link #pipe()} makes one,
 * the child's end blocking, this process's end non-blocking and read or written through an
 * {@link InputStream} or {@link OutputStream} whose waits park in {@link PipePoller} (so a virtual
 * thread pumping a sandbox's output for as long as it lives holds no carrier thread).
 */
final class PipeStreams {

    private static final int O_CLOEXEC = 02000000;
    private static final int O_NONBLOCK = 04000;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int CHUNK = 64 * 1024;

    private static final MethodHandle PIPE2 = Libc.call("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle READ = Libc.call("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = Libc.call("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle FCNTL = Libc.variadic("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            2);

    private PipeStreams() {
    }

    /** A pipe: its read and write ends, both close-on-exec. */
    record Pipe(int read, int write) {
    }

    /** A new pipe, close-on-exec; neither end non-blocking yet (see {@link #input} and {@link #output}). */
    static Pipe pipe() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) PIPE2.invokeExact(state, fds, O_CLOEXEC) != 0) {
                throw new IOException("pipe2: " + Libc.strerror(Libc.errno(state)));
            }
            return new Pipe(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("pipe2: " + t, t);
        }
    }

    /** An input stream that owns {@code fd} (a pipe's read end, made non-blocking here). */
    static InputStream input(int fd) throws IOException {
        nonBlocking(fd);
        return new In(fd);
    }

    /** An output stream that owns {@code fd} (a pipe's write end, made non-blocking here). */
    static OutputStream output(int fd) throws IOException {
        nonBlocking(fd);
        return new Out(fd);
    }

    private static void nonBlocking(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            int flags = (int) FCNTL.invokeExact(state, fd, F_GETFL, 0);
            if (flags < 0 || (int) FCNTL.invokeExact(state, fd, F_SETFL, flags | O_NONBLOCK) < 0) {
                throw new IOException("fcntl: " + Libc.strerror(Libc.errno(state)));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("fcntl: " + t, t);
        }
    }

    /** One end and its native buffer; closed once. */
    private abstract static class End {
        final int fd;
        final Arena arena = Arena.ofAuto(); // freed with this object: a reader may still hold the buffer after a close
        final MemorySegment buffer = arena.allocate(CHUNK);
        final MemorySegment state = arena.allocate(Libc.CAPTURE);
        private boolean closed; // guarded by this

        End(int fd) {
            this.fd = fd;
        }

        synchronized boolean closed() {
            return closed;
        }

        /**
         * Marks the end closed, wakes a thread waiting for it, then closes the descriptor once no
         * read or write is inside a system call on it ({@code streamLock}, held by them), so that a
         * descriptor number reused meanwhile is never read or written.
         */
        void closeEnd(Object streamLock) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            PipePoller.get().wake(fd);
            synchronized (streamLock) {
                PosixSpawn.closeQuietly(fd);
            }
        }

        int errno() {
            return Libc.errno(state);
        }
    }

    private static final class In extends InputStream {
        private final End end;

        In(int fd) {
            this.end = new End(fd) {
            };
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            while (true) {
                if (end.closed()) {
                    throw new IOException("Stream closed");
                }
                long n;
                try {
                    n = (long) READ.invokeExact(end.state, end.fd, end.buffer, (long) Math.min(len, CHUNK));
                } catch (Throwable t) {
                    throw new IOException("read: " + t, t);
                }
                if (n > 0) {
                    MemorySegment.copy(end.buffer, JAVA_BYTE, 0, b, off, (int) n);
                    return (int) n;
                }
                if (n == 0) {
                    return -1;
                }
                int errno = end.errno();
                if (errno == EAGAIN) {
                    PipePoller.get().await(end.fd, PipePoller.IN, end::closed);
                } else if (errno != EINTR) {
                    throw new IOException("read: " + Libc.strerror(errno));
                }
            }
        }

        @Override
        public void close() {
            end.closeEnd(this);
        }
    }

    private static final class Out extends OutputStream {
        private final End end;

        Out(int fd) {
            this.end = new End(fd) {
            };
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            int done = 0;
            while (done < len) {
                if (end.closed()) {
                    throw new IOException("Stream closed");
                }
                int chunk = Math.min(len - done, CHUNK);
                MemorySegment.copy(b, off + done, end.buffer, JAVA_BYTE, 0, chunk);
                long n;
                try {
                    n = (long) WRITE.invokeExact(end.state, end.fd, end.buffer, (long) chunk);
                } catch (Throwable t) {
                    throw new IOException("write: " + t, t);
                }
                if (n >= 0) {
                    done += (int) n;
                    continue;
                }
                int errno = end.errno();
                if (errno == EAGAIN) {
                    PipePoller.get().await(end.fd, PipePoller.OUT, end::closed);
                } else if (errno != EINTR) {
                    throw new IOException(errno == 32 ? "Broken pipe" : "write: " + Libc.strerror(errno));
                }
            }
        }

        @Override
        public void close() {
            end.closeEnd(this);
        }
    }
}
