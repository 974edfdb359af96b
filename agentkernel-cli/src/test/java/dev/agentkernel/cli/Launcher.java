package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

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
import java.util.stream.Stream;

/**
 * Runs the real {@code agentkernel} launcher script as a subprocess, with private state and
 * runtime directories, draining stdout and stderr concurrently under a time limit, and
 * checks afterwards that the run left nothing behind on the host.
 */
final class Launcher {

    /** The launcher at the repository root, found from this module's directory. */
    static final Path SCRIPT = Path.of("..", "agentkernel").toAbsolutePath().normalize();
    static final Duration DEFAULT_LIMIT = Duration.ofSeconds(90);
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

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

    /** Command lines of host processes (other than this JVM) whose command line contains {@code marker}. */
    static List<String> hostProcessesMentioning(String marker) {
        List<String> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmdline.contains(marker)) {
                        found.add(name + ": " + cmdline.strip());
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** How the names of host resources owned by {@code pid} begin (core.host.OwnerTag: the pid in base 36, then '.'). */
    static String ownerPrefix(long pid) {
        return Long.toString(pid, 36) + ".";
    }

    /** Cgroup directories named after the CLI process {@code pid}. */
    static List<Path> cgroupsOf(long pid) {
        List<Path> found = new ArrayList<>();
        for (String parent : List.of("memory/agentkernel", "pids/agentkernel", "cpu/agentkernel", "unified/agentkernel",
                "agentkernel")) {
            Path dir = CGROUP_ROOT.resolve(parent);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> groups = Files.list(dir)) {
                groups.filter(g -> g.getFileName().toString().startsWith(ownerPrefix(pid))).forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return found;
    }

    /** Runtime-directory entries other than the backend's own (empty) directory. */
    List<Path> runtimeEntries() {
        try (Stream<Path> walk = Files.walk(runtimeDir)) {
            return walk.filter(p -> !p.equals(runtimeDir)
                    && !dev.agentkernel.core.backend.BackendDirectories.isBackendsOwn(runtimeDir, p)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** No cgroup of the run, no runtime entry, no sandbox process (bwrap's argv names the state dir). */
    void assertNothingLeftBehind(Outcome outcome) {
        assertThat(cgroupsOf(outcome.pid())).as("cgroups left by " + outcome.pid()).isEmpty();
        assertThat(runtimeEntries()).as("runtime directory entries left").isEmpty();
        assertThat(hostProcessesMentioning(stateDir.toString())).as("sandbox processes left").isEmpty();
    }
}
