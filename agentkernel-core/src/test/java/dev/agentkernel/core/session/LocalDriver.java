package dev.agentkernel.core.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Test helper: a driver run as a plain local process with a fresh working directory. */
final class LocalDriver implements AutoCloseable {

    private static final Map<InterpreterTemplate, Boolean> AVAILABLE = new EnumMap<>(InterpreterTemplate.class);
    private static Path driversDir;

    final Process process;
    final DriverConnection connection;
    final Path workDir;

    private LocalDriver(Process process, DriverConnection connection, Path workDir) {
        this.process = process;
        this.connection = connection;
        this.workDir = workDir;
    }

    static synchronized boolean available(InterpreterTemplate template) {
        return AVAILABLE.computeIfAbsent(template, t -> {
            try {
                Process p = new ProcessBuilder(t.executable(), "--version")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    static synchronized Path driversDir() {
        if (driversDir == null) {
            try {
                Path base = Files.createTempDirectory("ak-session-drivers-");
                base.toFile().deleteOnExit();
                driversDir = DriverFiles.extractTo(base);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return driversDir;
    }

    static LocalDriver start(InterpreterTemplate template) {
        try {
            Path work = Files.createTempDirectory("ak-session-work-");
            Process process = new ProcessBuilder(template.commandInDirectory(driversDir().toString()))
                    .directory(work.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return new LocalDriver(process, DriverConnection.forProcess(template, process), work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        connection.close();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (var walk = Files.walk(workDir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
