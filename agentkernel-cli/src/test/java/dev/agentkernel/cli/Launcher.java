package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.agentkernel.core.backend.BackendDirectories;
import dev.agentkernel.testing.HostLeftovers;
import dev.agentkernel.testing.HostProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the real {@code agentkernel} launcher script as a subprocess, with private state and
 * runtime directories, draining stdout and stderr concurrently under a time limit, and
 * checks afterwards that the run left nothing behind on the host.
 */
final class Launcher {

    /** The launcher at the repository root, found from this module's directory. */
    static final Path SCRIPT = Path.of("..", "agentkernel").toAbsolutePath().normalize();
    static final Duration DEFAULT_LIMIT = Duration.ofSeconds(90);

    final Path stateDir;
    final Path runtimeDir;

    Launcher(Path dir) throws IOException {
        this.stateDir = Files.createDirectories(dir.resolve("state"));
        this.runtimeDir = Files.createDirectories(dir.resolve("runtime"));
    }

    /** What one invocation produced. */
    record Outcome(int exitCode, byte[] stdoutBytes, String stderr, Duration elapsed, long pid) {
        String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }

        List<String> stderrLines() {
            return stderr.lines().toList();
        }

        String describe() {
            return "exit " + exitCode + " after " + elapsed.toMillis() + " ms\n--- stdout ---\n" + stdout()
                    + "\n--- stderr ---\n" + stderr;
        }
    }

    ProcessBuilder builder(Path cwd, Map<String, String> env, List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(SCRIPT.toString());
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile());
        Map<String, String> environment = pb.environment();
        environment.put("AGENTKERNEL_STATE_DIR", stateDir.toString());
        environment.put("AGENTKERNEL_RUNTIME_DIR", runtimeDir.toString());
        env.forEach((k, v) -> {
            if (v == null) {
                environment.remove(k);
            } else {
                environment.put(k, v);
            }
        });
        return pb;
    }

    Outcome run(Path cwd, String... args) {
        return run(cwd, null, Map.of(), DEFAULT_LIMIT, List.of(args));
    }

    Outcome run(Path cwd, byte[] stdin, Map<String, String> env, Duration limit, List<String> args) {
        long started = System.nanoTime();
        Process process;
        try {
            process = builder(cwd, env, args).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompletableFuture<byte[]> out = drain(process.getInputStream());
        CompletableFuture<byte[]> err = drain(process.getErrorStream());
        Thread.ofVirtual().start(() -> {
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException e) {
                // the command did not read it all
            }
        });
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                return fail("agentkernel " + args + " did not end within " + limit + "; stderr so far: "
                        + new String(err.getNow(new byte[0]), StandardCharsets.UTF_8));
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            return new Outcome(process.exitValue(), out.get(10, TimeUnit.SECONDS),
                    new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8), elapsed, process.pid());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return fail("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            return fail("cannot collect the output of agentkernel " + args + ": " + e);
        }
    }

    static CompletableFuture<byte[]> drain(InputStream in) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                result.complete(in.readAllBytes());
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** How the names of host resources owned by {@code pid} begin (core.host.OwnerTag: the pid in base 36, then '.'). */
    static String ownerPrefix(long pid) {
        return Long.toString(pid, 36) + ".";
    }

    /** Cgroups named after the CLI process {@code pid}. */
    static List<String> cgroupsOf(long pid) {
        return HostLeftovers.cgroups(ownerPrefix(pid));
    }

    /** Runtime-directory entries other than the backends' own (empty) directories. */
    List<String> runtimeEntries() {
        return HostLeftovers.runtimeEntries(runtimeDir, p -> BackendDirectories.isBackendsOwn(runtimeDir, p));
    }

    /** No cgroup of the run, no runtime entry, no sandbox process (bwrap's argv names the state dir). */
    void assertNothingLeftBehind(Outcome outcome) {
        assertThat(cgroupsOf(outcome.pid())).as("cgroups left by " + outcome.pid()).isEmpty();
        assertThat(runtimeEntries()).as("runtime directory entries left").isEmpty();
        assertThat(HostProcesses.mentioning(stateDir.toString())).as("sandbox processes left").isEmpty();
    }
}
