package dev.agentkernel.image.store;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The few Linux calls the JDK has no API for, through the FFM API: {@code mknod} (overlayfs
 * whiteouts: a character device 0/0), {@code lsetxattr}/{@code lgetxattr} in the
 * {@code trusted.} and {@code security.} namespaces (the JDK only reaches {@code user.}), and
 * {@code syncfs} (one flush per published layer instead of one fsync per file).
 */
final class LinuxFiles {

    static final String OPAQUE_XATTR = "trusted.overlay.opaque";
    private static final int S_IFCHR = 0020000;
    private static final int O_RDONLY_DIRECTORY = 0200000;
    private static final int ENODATA = 61;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle MKNOD = downcall("mknod",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle LSETXATTR = downcall("lsetxattr",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle LGETXATTR = downcall("lgetxattr",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO_OPTION,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SYNCFS = downcall("syncfs", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private LinuxFiles() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc has no " + name)), descriptor, ERRNO_OPTION);
    }

    /** Creates the overlayfs whiteout {@code path}: a character device with device number 0/0. */
    static void whiteout(Path path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) MKNOD.invokeExact(state, arena.allocateFrom(path.toString()), S_IFCHR, 0L);
            check(rc, state, "mknod (overlayfs whiteout; needs root)", path);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Sets extended attribute {@code name} of {@code path} itself (not of a symlink's target). */
    static void setXattr(Path path, String name, byte[] value) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment v = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, JAVA_BYTE_LAYOUT, 0, value.length);
            int rc = (int) LSETXATTR.invokeExact(state, arena.allocateFrom(path.toString()),
                    arena.allocateFrom(name), v, (long) value.length, 0);
            check(rc, state, "lsetxattr " + name, path);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The value of extended attribute {@code name} of {@code path} itself, or null when it has none. */
    static byte[] getXattr(Path path, String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment buf = arena.allocate(256);
            long n = (long) LGETXATTR.invokeExact(state, arena.allocateFrom(path.toString()),
                    arena.allocateFrom(name), buf, 256L);
            if (n < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                if (errno == ENODATA || errno == 95 /* EOPNOTSUPP */) {
                    return null;
                }
                throw new IOException("lgetxattr " + name + " " + path + ": errno " + errno);
            }
            return buf.asSlice(0, n).toArray(JAVA_BYTE_LAYOUT);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Flushes the file system that holds {@code dir} to disk. */
    static void syncFileSystem(Path dir) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(dir.toString()), O_RDONLY_DIRECTORY, 0);
            check(fd, state, "open", dir);
            try {
                int rc = (int) SYNCFS.invokeExact(state, fd);
                check(rc, state, "syncfs", dir);
            } finally {
                int ignored = (int) CLOSE.invokeExact(state, fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static final java.lang.foreign.ValueLayout.OfByte JAVA_BYTE_LAYOUT = java.lang.foreign.ValueLayout.JAVA_BYTE;

    private static void check(int rc, MemorySegment state, String what, Path path) throws IOException {
        if (rc < 0) {
            int errno = (int) ERRNO.get(state, 0L);
            throw new IOException(what + " " + path + " failed: errno " + errno
                    + (errno == 1 ? " (EPERM: run as root)" : ""));
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
