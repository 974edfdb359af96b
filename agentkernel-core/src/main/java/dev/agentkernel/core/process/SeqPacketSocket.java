package dev.agentkernel.core.process;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * One end of a Unix {@code SOCK_SEQPACKET} socket pair, through the FFM API: messages with
 * descriptors attached ({@code SCM_RIGHTS}), which the JDK's Unix-domain channels cannot send.
 * What {@link ForkServer} talks to its server with. Linux on x86-64 or AArch64 (LP64 layouts of
 * {@code msghdr} and {@code cmsghdr}).
 */
final class SeqPacketSocket implements AutoCloseable {

    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int O_CLOEXEC = 02000000;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int EINTR = 4;
    /** Room for up to 4 descriptors in one message's control data ({@code CMSG_SPACE(16)}). */
    private static final long CONTROL_BYTES = 32;
    private static final long MSGHDR_BYTES = 56;

    private static final MethodHandle SOCKETPAIR = Libc.call("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SENDMSG = Libc.call("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = Libc.call("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN = Libc.call("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle OPEN = Libc.variadic("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle FCNTL = Libc.variadic("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            2);

    private final int fd;

    private SeqPacketSocket(int fd) {
        this.fd = fd;
    }

    /** A connected pair, both ends close-on-exec; the second end's descriptor is above 3 (see {@link #descriptor()}). */
    static SeqPacketSocket[] pair() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) SOCKETPAIR.invokeExact(state, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
                throw new IOException("socketpair: " + Libc.strerror(Libc.errno(state)));
            }
            int first = fds.getAtIndex(JAVA_INT, 0);
            int second = fds.getAtIndex(JAVA_INT, 1);
            if (second <= 3) { // never 3: a child gets it as its descriptor 3 (see PosixSpawn)
                int moved = (int) FCNTL.invokeExact(state, second, F_DUPFD_CLOEXEC, 4);
                PosixSpawn.closeQuietly(second);
                if (moved < 0) {
                    PosixSpawn.closeQuietly(first);
                    throw new IOException("fcntl: " + Libc.strerror(Libc.errno(state)));
                }
                second = moved;
            }
            return new SeqPacketSocket[] {new SeqPacketSocket(first), new SeqPacketSocket(second)};
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("socketpair: " + t, t);
        }
    }

    /** This end's descriptor number. */
    int descriptor() {
        return fd;
    }

    /**
     * Opens {@code path} close-on-exec (mode 0666 when created), for passing with {@link #send}.
     *
     * @throws IOException worded as the JDK words a redirect it cannot open
     */
    static int open(String path, int flags) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags | O_CLOEXEC, 0666);
            if (fd < 0) {
                throw new IOException(path + ": " + Libc.strerror(Libc.errno(state)));
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("open " + path + ": " + t, t);
        }
    }

    /** Sends one message with {@code fds} attached (none when empty); blocks while the socket's buffer is full. */
    void send(byte[] data, int... fds) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment buffer = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buffer, JAVA_BYTE, 0, data.length);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ADDRESS, 0, buffer);
            iov.set(JAVA_LONG, 8, data.length);
            MemorySegment msg = arena.allocate(MSGHDR_BYTES, 8);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1);
            if (fds.length > 0) {
                long length = 16 + 4L * fds.length;
                MemorySegment control = arena.allocate((length + 7) & ~7L, 8);
                control.set(JAVA_LONG, 0, length);
                control.set(JAVA_INT, 8, SOL_SOCKET);
                control.set(JAVA_INT, 12, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    control.set(JAVA_INT, 16 + 4L * i, fds[i]);
                }
                msg.set(ADDRESS, 32, control);
                msg.set(JAVA_LONG, 40, control.byteSize());
            }
            while (true) {
                long n = (long) SENDMSG.invokeExact(state, fd, msg, MSG_NOSIGNAL);
                if (n >= 0) {
                    return;
                }
                int errno = Libc.errno(state);
                if (errno != EINTR) {
                    throw new IOException("sendmsg: " + Libc.strerror(errno));
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("sendmsg: " + t, t);
        }
    }

    /** A message received: its bytes and the descriptors that came with it (close-on-exec, now this process's). */
    record Message(byte[] data, int[] fds) {
    }

    /**
     * Blocks for the next message of at most {@code max} bytes.
     *
     * @return the message, or none when the other end has closed
     */
    Optional<Message> receive(int max) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            MemorySegment buffer = arena.allocate(max);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ADDRESS, 0, buffer);
            iov.set(JAVA_LONG, 8, max);
            MemorySegment control = arena.allocate(CONTROL_BYTES, 8);
            MemorySegment msg = arena.allocate(MSGHDR_BYTES, 8);
            while (true) {
                msg.fill((byte) 0);
                msg.set(ADDRESS, 16, iov);
                msg.set(JAVA_LONG, 24, 1);
                msg.set(ADDRESS, 32, control);
                msg.set(JAVA_LONG, 40, CONTROL_BYTES);
                long n = (long) RECVMSG.invokeExact(state, fd, msg, MSG_CMSG_CLOEXEC);
                if (n == 0) {
                    return Optional.empty();
                }
                if (n < 0) {
                    int errno = Libc.errno(state);
                    if (errno == EINTR) {
                        continue;
                    }
                    throw new IOException("recvmsg: " + Libc.strerror(errno));
                }
                long controlLength = msg.get(JAVA_LONG, 40);
                int[] fds = new int[0];
                if (controlLength >= 16 && control.get(JAVA_INT, 8) == SOL_SOCKET && control.get(JAVA_INT, 12) == SCM_RIGHTS) {
                    long length = control.get(JAVA_LONG, 0);
                    fds = new int[(int) ((length - 16) / 4)];
                    for (int i = 0; i < fds.length; i++) {
                        fds[i] = control.get(JAVA_INT, 16 + 4L * i);
                    }
                }
                return Optional.of(new Message(buffer.asSlice(0, n).toArray(JAVA_BYTE),
                        fds));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("recvmsg: " + t, t);
        }
    }

    /** Shuts both directions down: the peer reads the end, and a thread blocked in {@link #receive} here returns. */
    void shutdown() {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) SHUTDOWN.invokeExact(arena.allocate(Libc.CAPTURE), fd, 2); // SHUT_RDWR
        } catch (Throwable ignored) {
            // closed already
        }
    }

    @Override
    public void close() {
        PosixSpawn.closeQuietly(fd);
    }
}
