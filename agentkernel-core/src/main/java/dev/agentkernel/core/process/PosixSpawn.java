package dev.agentkernel.core.process;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * glibc's {@code posix_spawnp}, {@code waitpid} and the pidfd calls through the FFM API: what
 * {@link NativeProcess} needs to start a child with one {@code vfork} and one {@code exec}.
 *
 * <p>The JDK's {@code ProcessBuilder} execs its {@code jspawnhelper} first, which reads the
 * command from a pipe, closes every descriptor and execs the program: two execs and a pipe
 * round trip per child, about 0.7 ms on these machines, for every sandbox start. glibc's
 * {@code posix_spawnp} does the same work in the vforked child itself; the file actions
 * open the three standard streams (inherited, a file, {@code /dev/null}; no pipes, see
 * {@link Spawner}) and close every other descriptor
 * ({@code posix_spawn_file_actions_addclosefrom_np}, glibc 2.34), the attributes give the
 * child an empty signal mask and every signal's default action, as the JDK does.
 *
 * <p>{@link #available()} is false where a call is missing (another libc, an older glibc):
 * {@link Spawner} then uses {@code ProcessBuilder}.
 */
final class PosixSpawn {

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_CREAT = 0100;
    static final int O_TRUNC = 01000;
    static final int O_APPEND = 02000;
    private static final int POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int EINTR = 4;
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final long SYS_PIDFD_OPEN = 434;
    /** Larger than glibc's {@code posix_spawn_file_actions_t} (80 bytes) and {@code posix_spawnattr_t} (336). */
    private static final long OPAQUE_BYTES = 512;
    private static final long SIGSET_BYTES = 128;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");
    private static final Calls CALLS = Calls.load();

    private PosixSpawn() {
    }

    /** The libc calls, or none where one is missing. */
    private record Calls(MethodHandle spawnp, MethodHandle actionsInit, MethodHandle actionsDestroy,
                         MethodHandle addOpen, MethodHandle addDup2, MethodHandle addCloseFrom, MethodHandle addChdir,
                         MethodHandle attrInit, MethodHandle attrDestroy, MethodHandle attrSetFlags,
                         MethodHandle attrSetSigMask, MethodHandle attrSetSigDefault, MethodHandle sigEmpty,
                         MethodHandle sigFill, MethodHandle close, MethodHandle waitpid,
                         MethodHandle syscall2, MethodHandle syscall4, MethodHandle kill, MethodHandle poll,
                         MethodHandle strerror) {

        static Calls load() {
            try {
                return new Calls(
                        find("posix_spawnp", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                                ADDRESS)),
                        find("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        find("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        find("posix_spawn_file_actions_addopen",
                                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)),
                        find("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)),
                        find("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
                        find("posix_spawn_file_actions_addchdir_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                        find("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        find("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        find("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
                        find("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                        find("posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                        find("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        find("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                        find("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT)),
                        errno("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)),
                        LINKER.downcallHandle(symbol("syscall"), FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT,
                                JAVA_INT), ERRNO_OPTION, Linker.Option.firstVariadicArg(1)),
                        LINKER.downcallHandle(symbol("syscall"), FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT,
                                JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPTION, Linker.Option.firstVariadicArg(1)),
                        errno("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)),
                        errno("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT)),
                        find("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT)));
            } catch (RuntimeException | LinkageError e) {
                return null; // not glibc >= 2.34 on Linux, or native access refused
            }
        }

        private static MemorySegment symbol(String name) {
            return LINKER.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name));
        }

        private static MethodHandle find(String name, FunctionDescriptor descriptor) {
            return LINKER.downcallHandle(symbol(name), descriptor);
        }

        private static MethodHandle errno(String name, FunctionDescriptor descriptor) {
            return LINKER.downcallHandle(symbol(name), descriptor, ERRNO_OPTION);
        }
    }

    /** Whether this libc has every call (glibc 2.34 or later) and native access is allowed. */
    static boolean available() {
        return CALLS != null && System.getProperty("os.name", "").equals("Linux");
    }

    /** What the child's standard stream {@code fd} is. */
    sealed interface Stream {
        /** The parent's own descriptor, unchanged. */
        record Inherit() implements Stream {
        }

        /** A file opened with {@code flags} (mode 0666 when created). */
        record Open(File file, int flags) implements Stream {
        }

        /** The same as the child's standard output ({@code redirectErrorStream}). */
        record SameAsStdout() implements Stream {
        }
    }

    /** A started child: its pid and its pidfd (-1 where the kernel has none). */
    record Child(int pid, int pidfd) {
    }

    /**
     * Starts {@code command} (the program looked up in this process's {@code PATH} when it has
     * no slash, as {@code ProcessBuilder} does) with exactly {@code environment}.
     *
     * @throws IOException as {@code ProcessBuilder.start} words it: {@code Cannot run program "X": error=2, No such file or directory}
     */
    static Child spawn(List<String> command, Map<String, String> environment, Optional<File> directory,
                       Stream in, Stream out, Stream err) throws IOException {
        return spawn(command, environment, directory, in, out, err, -1);
    }

    /**
     * {@link #spawn(List, Map, Optional, Stream, Stream, Stream)}, with this process's descriptor
     * {@code passed} (not 3; -1 for none) as the child's descriptor 3.
     */
    static Child spawn(List<String> command, Map<String, String> environment, Optional<File> directory,
                       Stream in, Stream out, Stream err, int passed) throws IOException {
        if (passed == 3) {
            throw new IllegalArgumentException("descriptor 3 cannot be passed as itself (dup2 would keep it close-on-exec)");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(OPAQUE_BYTES, 16);
            MemorySegment attributes = arena.allocate(OPAQUE_BYTES, 16);
            check((int) CALLS.actionsInit().invokeExact(actions), "posix_spawn_file_actions_init");
            check((int) CALLS.attrInit().invokeExact(attributes), "posix_spawnattr_init");
            try {
                redirect(arena, actions, 0, in);
                redirect(arena, actions, 1, out);
                redirect(arena, actions, 2, err);
                if (passed >= 0) {
                    check((int) CALLS.addDup2().invokeExact(actions, passed, 3), "posix_spawn_file_actions_adddup2");
                }
                check((int) CALLS.addCloseFrom().invokeExact(actions, passed >= 0 ? 4 : 3),
                        "posix_spawn_file_actions_addclosefrom_np");
                if (directory.isPresent()) {
                    check((int) CALLS.addChdir().invokeExact(actions, arena.allocateFrom(directory.get().getPath())),
                            "posix_spawn_file_actions_addchdir_np");
                }
                MemorySegment none = arena.allocate(SIGSET_BYTES, 8);
                MemorySegment all = arena.allocate(SIGSET_BYTES, 8);
                check((int) CALLS.sigEmpty().invokeExact(none), "sigemptyset");
                check((int) CALLS.sigFill().invokeExact(all), "sigfillset");
                check((int) CALLS.attrSetSigMask().invokeExact(attributes, none), "posix_spawnattr_setsigmask");
                check((int) CALLS.attrSetSigDefault().invokeExact(attributes, all), "posix_spawnattr_setsigdefault");
                check((int) CALLS.attrSetFlags().invokeExact(attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK),
                        "posix_spawnattr_setflags");
                MemorySegment argv = strings(arena, command);
                MemorySegment envp = strings(arena, environment.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).toList());
                MemorySegment pid = arena.allocate(JAVA_INT);
                int rc = (int) CALLS.spawnp().invokeExact(pid, argv.getAtIndex(ADDRESS, 0), actions, attributes, argv,
                        envp);
                if (rc != 0) {
                    throw new IOException("Cannot run program \"" + command.getFirst() + "\""
                            + directory.map(d -> " (in directory \"" + d + "\")").orElse("") + ": error=" + rc + ", "
                            + strerror(rc));
                }
                int child = pid.get(JAVA_INT, 0);
                return new Child(child, pidfdOpen(child));
            } finally {
                int ignored = (int) CALLS.actionsDestroy().invokeExact(actions);
                ignored = (int) CALLS.attrDestroy().invokeExact(attributes);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("posix_spawn failed: " + t, t);
        }
    }

    private static void redirect(Arena arena, MemorySegment actions, int fd, Stream stream) throws Throwable {
        switch (stream) {
            case Stream.Inherit i -> {
            }
            case Stream.Open o -> check((int) CALLS.addOpen().invokeExact(actions, fd, arena.allocateFrom(o.file().getPath()),
                    o.flags(), 0666), "posix_spawn_file_actions_addopen");
            case Stream.SameAsStdout s -> check((int) CALLS.addDup2().invokeExact(actions, 1, fd),
                    "posix_spawn_file_actions_adddup2");
        }
    }

    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    private static void check(int rc, String call) throws IOException {
        if (rc != 0) {
            throw new IOException(call + ": error=" + rc + ", " + strerror(rc));
        }
    }

    private static int pidfdOpen(int pid) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            long fd = (long) CALLS.syscall2().invokeExact(arena.allocate(CAPTURE), SYS_PIDFD_OPEN, pid, 0);
            return fd < 0 ? -1 : (int) fd; // kernels before 5.3: signals by pid until reaped
        }
    }

    /**
     * Waits for {@code pid} to end and reaps it.
     *
     * @return the exit code, or 128 + the signal that ended it (as {@code Process.exitValue})
     */
    static int waitFor(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            MemorySegment state = arena.allocate(CAPTURE);
            while (true) {
                int rc = (int) CALLS.waitpid().invokeExact(state, pid, status, 0);
                if (rc == pid) {
                    return exitCode(status.get(JAVA_INT, 0));
                }
                int errno = (int) ERRNO.get(state, 0L);
                if (rc < 0 && errno != EINTR) {
                    throw new IllegalStateException("waitpid(" + pid + "): " + strerror(errno));
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("waitpid(" + pid + "): " + t, t);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for the process of {@code pidfd} to have ended (its pidfd
     * becomes readable then, whoever its parent is).
     *
     * @return whether it has
     */
    static boolean awaitEnd(int pidfd, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8, 4);
            MemorySegment state = arena.allocate(CAPTURE);
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                pollfd.set(JAVA_INT, 0, pidfd);
                pollfd.set(JAVA_INT, 4, 1); // events = POLLIN
                int left = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
                int rc = (int) CALLS.poll().invokeExact(state, pollfd, 1L, left);
                if (rc > 0) {
                    return true;
                }
                if (rc == 0 || (int) ERRNO.get(state, 0L) != EINTR) {
                    return false;
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("poll: " + t, t);
        }
    }

    /** The exit code of a wait status: the code it exited with, or 128 + the signal that ended it. */
    static int exitCode(int status) {
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 0x80 + (status & 0x7f);
    }

    /** Sends {@code signal} through the pidfd (never to a reused pid), or to the pid while not reaped. */
    static void signal(int pid, int pidfd, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            if (pidfd >= 0) {
                long ignored = (long) CALLS.syscall4().invokeExact(arena.allocate(CAPTURE), SYS_PIDFD_SEND_SIGNAL, pidfd,
                        signal, MemorySegment.NULL, 0);
            } else {
                int ignored = (int) CALLS.kill().invokeExact(arena.allocate(CAPTURE), pid, signal);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("cannot signal " + pid + ": " + t, t);
        }
    }

    static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CALLS.close().invokeExact(fd);
        } catch (Throwable ignored) {
            // nothing to do
        }
    }

    private static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) CALLS.strerror().invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
