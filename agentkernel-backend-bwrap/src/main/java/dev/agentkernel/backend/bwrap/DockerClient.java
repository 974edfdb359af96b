package dev.agentkernel.backend.bwrap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Docker engine as the {@code docker} command line reaches it: one engine address
 * ({@code DOCKER_HOST}), one private client configuration directory (no user's {@code ~/.docker}),
 * a fixed {@code PATH}. Short commands run to their end with both streams drained at once and a
 * timeout; the sandbox's own {@code docker run} is built by {@link #command}.
 */
final class DockerClient {

    /** Where the engine listens unless {@code DOCKER_HOST} says otherwise. */
    static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

    private final Path cli;
    private final String host;
    private final Path config;

    /**
     * @param cli    the {@code docker} binary
     * @param host   the engine's address, as {@code DOCKER_HOST} takes it
     * @param config the client's configuration directory ({@code DOCKER_CONFIG})
     */
    DockerClient(Path cli, String host, Path config) {
        this.cli = cli;
        this.host = host;
        this.config = config;
    }

    /** The engine's address. */
    String host() {
        return host;
    }

    /** What a finished command printed and how it ended. */
    record Result(int exitCode, String out, String err) {
        boolean ok() {
            return exitCode == 0;
        }

        /** The first line of what it said on standard error, or its exit code. */
        String reason() {
            String first = err.strip().lines().findFirst().orElse("").strip();
            return first.isEmpty() ? "exit code " + exitCode : first;
        }
    }

    /** A process builder for {@code docker ARGS} against this engine (the caller sets the redirects). */
    ProcessBuilder command(List<String> args) {
        List<String> argv = new ArrayList<>(args.size() + 1);
        argv.add(cli.toString());
        argv.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(argv);
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("DOCKER_HOST", host);
        env.put("DOCKER_CONFIG", config.toString());
        return builder;
    }

    /**
     * Runs {@code docker ARGS} to its end (killed after {@code timeout}).
     *
     * @throws IOException if it cannot be started or did not end in time
     */
    Result call(Duration timeout, String... args) throws IOException {
        Process process = command(List.of(args)).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        process.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().start(() -> copy(process.getErrorStream(), err));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        copy(process.getInputStream(), out);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("docker " + String.join(" ", args) + " did not end within " + timeout.toSeconds()
                        + " s (engine at " + host + ")");
            }
            drain.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for docker " + args[0], e);
        }
        return new Result(process.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void copy(InputStream in, ByteArrayOutputStream to) {
        try (in) {
            in.transferTo(to);
        } catch (IOException ignored) {
            // the process went away; what was read is kept
        }
    }
}
