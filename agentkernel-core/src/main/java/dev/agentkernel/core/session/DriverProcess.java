package dev.agentkernel.core.session;

import dev.agentkernel.agent.ExecHandle;
import dev.agentkernel.agent.ExitStatus;
import dev.agentkernel.agent.OutputSink;
import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.OutputStreamKind;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One interpreter driver started through a sandbox's agent: its stdin and stdout carry the
 * driver protocol ({@link DriverConnection}); its own stderr (the driver's diagnostics, never the
 * user's output, which the driver captures) is kept, the last few KB of it, for error messages.
 * Package-private: {@link Interpreter} owns it.
 */
final class DriverProcess implements AutoCloseable {

    private static final int STDERR_TAIL = 4096;
    /** Where tool libraries are mounted when the daemon has any: importable from sessions. */
    private static final String TOOLS = "/tools";
    private final ExecHandle handle;
    private final DriverConnection connection;
    private final StringBuilder stderrTail;

    private DriverProcess(ExecHandle handle, DriverConnection connection, StringBuilder stderrTail) {
        this.handle = handle;
        this.connection = connection;
        this.stderrTail = stderrTail;
    }

    /** Starts the driver of {@code template} in {@code sandbox}, working directory {@code workdir}. */
    static DriverProcess start(AgentSandbox sandbox, InterpreterTemplate template, String workdir) {
        AtomicReference<ExecHandle> started = new AtomicReference<>();
        OutputStream toDriver = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                started.get().writeStdin(b, off, len);
            }

            @Override
            public void close() {
                started.get().closeStdin();
            }
        };
        DriverConnection connection = new DriverConnection(template.id(), toDriver,
                () -> exitStatus(started.get()), () -> started.get().signal(2));
        StringBuilder stderrTail = new StringBuilder();
        CommandSpec command = new CommandSpec(template.commandInDirectory(Interpreter.DRIVER_DIR),
                Map.of("PYTHONUNBUFFERED", "1", "PYTHONDONTWRITEBYTECODE", "1", "PYTHONPATH", TOOLS, "NODE_PATH", TOOLS),
                Optional.of(workdir), Optional.empty());
        ExecHandle handle = sandbox.start(command, Optional.empty(), (OutputSink.Immediate) (kind, bytes, off, len) -> {
            if (kind == OutputStreamKind.STDOUT) {
                connection.accept(bytes, off, len);
            } else {
                synchronized (stderrTail) {
                    stderrTail.append(new String(bytes, off, len, StandardCharsets.UTF_8));
                    if (stderrTail.length() > STDERR_TAIL) {
                        stderrTail.delete(0, stderrTail.length() - STDERR_TAIL);
                    }
                }
            }
        });
        started.set(handle);
        handle.onExit().whenComplete((status, failure) -> connection.endOfOutput());
        return new DriverProcess(handle, connection, stderrTail);
    }

    private static OptionalInt exitStatus(ExecHandle handle) {
        try {
            ExitStatus status = handle.onExit().get(2, TimeUnit.SECONDS);
            return OptionalInt.of(status.exitCode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        } catch (Exception e) {
            return OptionalInt.empty();
        }
    }

    /** Runs code; see {@link DriverConnection#execute(String, Duration)}. */
    DriverResult execute(String code, Duration timeout) {
        return connection.execute(code, timeout);
    }

    /** Whether the driver still runs and answers. */
    boolean isAlive() {
        return connection.isAlive() && !handle.isDone();
    }

    /** What the driver wrote to its own stderr lately, trimmed; empty if nothing. */
    String diagnostics() {
        synchronized (stderrTail) {
            return stderrTail.toString().strip();
        }
    }

    /** Kills the driver's process group (the driver and everything the user's code started). */
    @Override
    public void close() {
        connection.close();
        handle.kill();
    }
}
