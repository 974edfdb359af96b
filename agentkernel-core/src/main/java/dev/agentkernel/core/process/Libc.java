package dev.agentkernel.core.process;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * What the FFM bindings of {@link SeqPacketSocket}, {@link PipeStreams} and {@link PipePoller}
 * share: libc functions looked up by name, each with {@code errno} captured into a segment of
 * {@link #CAPTURE}'s layout that the caller passes first, and {@code strerror}.
 */
final class Libc {

    /** The layout of the segment a call's {@code errno} is captured into. */
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final Linker LINKER = Linker.nativeLinker();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");
    private static final MethodHandle STRERROR = LINKER.downcallHandle(symbol("strerror"),
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() {
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name));
    }

    /** {@code name} with {@code descriptor}; its handle takes the capture segment first. */
    static MethodHandle call(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, ERRNO_OPTION);
    }

    /** A variadic {@code name} ({@code open}, {@code fcntl}) whose variadic arguments start at {@code firstVariadic}. */
    static MethodHandle variadic(String name, FunctionDescriptor descriptor, int firstVariadic) {
        return LINKER.downcallHandle(symbol(name), descriptor, ERRNO_OPTION, Linker.Option.firstVariadicArg(firstVariadic));
    }

    /** The {@code errno} a call captured into {@code state}. */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** The C library's message for {@code errno}. */
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
