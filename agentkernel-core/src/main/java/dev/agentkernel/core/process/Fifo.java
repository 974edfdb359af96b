package dev.agentkernel.core.process;

import dev.agentkernel.model.SandboxFailureException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Creates named pipes with libc's {@code mkfifo} through the foreign-function API (the JDK
 * has no call for it). Needs {@code --enable-native-access=ALL-UNNAMED} to run without a
 * warning.
 */
public final class Fifo {

    private static final MethodHandle MKFIFO;

    static {
        Linker linker = Linker.nativeLinker();
        MemorySegment symbol = linker.defaultLookup().find("mkfifo")
                .orElseThrow(() -> new ExceptionInInitializerError("libc has no mkfifo"));
        MKFIFO = linker.downcallHandle(symbol,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }

    private Fifo() {
    }

    /**
     * Creates a FIFO readable and writable by the owner only.
     *
     * @throws SandboxFailureException if it cannot be created
     */
    public static Path create(Path path) {
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            rc = (int) MKFIFO.invokeExact(arena.allocateFrom(path.toString()), 0600);
        } catch (Throwable t) {
            throw new SandboxFailureException("cannot create FIFO " + path + ": " + t, t);
        }
        if (rc != 0) {
            throw new SandboxFailureException("cannot create FIFO " + path);
        }
        return path;
    }
}
