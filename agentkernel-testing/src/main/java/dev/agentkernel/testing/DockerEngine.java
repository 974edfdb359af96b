package dev.agentkernel.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private Docker engine for the tests ({@code dockerd} of Debian's {@code docker.io}), the kind
 * AgentKernel's docker backend accepts: user-namespace remapping ({@code --userns-remap=default}),
 * the {@code cgroupfs} driver, no bridge and no iptables rules, its data, state, pid file and socket
 * under a directory of its own. One per JVM ({@link #shared()}), stopped and its directory removed
 * when the JVM exits; its processes are {@linkplain HostLeftovers#ignore ignored} as leftovers.
 * Point the backend at it with {@code DOCKER_HOST=}{@link #host()}.
 */
public final class DockerEngine {

    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    private static DockerEngine shared;

    private final Path dir;
    private final Process process;

    private DockerEngine(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** Whether this machine can start one: Linux, root, {@code dockerd} and {@code docker} installed. */
    public static Optional<String> missing() {
        if (!SandboxHost.isRoot()) {
            return Optional.of("a Docker engine needs root");
        }
        for (String program : List.of("dockerd", "docker", "containerd")) {
            if (SandboxHost.onPath(program).isEmpty()) {
                return Optional.of(program + " is not installed (apt-get install -y --no-install-recommends docker.io)");
            }
        }
        return Optional.empty();
    }

    /**
     * The engine of this JVM, started on first use.
     *
     * @throws IOException if it cannot be started or does not answer within a minute (the message holds its log)
     */
    public static synchronized DockerEngine shared() throws IOException {
        if (shared == null || !shared.process.isAlive()) {
            shared = start();
            DockerEngine engine = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(engine::stop, "ak-test-dockerd-stop"));
        }
        return shared;
    }

    private static DockerEngine start() throws IOException {
        Optional<String> missing = missing();
        if (missing.isPresent()) {
            throw new IOException("cannot start a Docker engine: " + missing.get());
        }
        // short: the socket's path must fit a sockaddr_un
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ak-dockerd-");
        // the engine's remapped root must pass through it to its data directory
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Path log = dir.resolve("dockerd.log");
        ProcessBuilder builder = new ProcessBuilder(SandboxHost.onPath("dockerd").orElseThrow().toString(),
                "--userns-remap=default", "--data-root", dir.resolve("data").toString(),
                "--exec-root", dir.resolve("exec").toString(), "--pidfile", dir.resolve("dockerd.pid").toString(),
                "-H", "unix://" + dir.resolve("docker.sock"), "--iptables=false", "--ip-masq=false",
                "--bridge=none", "--exec-opt", "native.cgroupdriver=cgroupfs", "--config-file",
                dir.resolve("daemon.json").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Files.writeString(dir.resolve("daemon.json"), "{}\n");
        builder.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        Process process = builder.start();
        HostLeftovers.ignore(process.toHandle());
        DockerEngine engine = new DockerEngine(dir, process);
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            if (text.contains("API listen on")) {
                process.descendants().forEach(HostLeftovers::ignore); // its containerd
                return engine;
            }
            if (!process.isAlive()) {
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        boolean exited = !process.isAlive();
        engine.stop();
        throw new IOException("dockerd " + (!exited ? "did not start within " + START_LIMIT.toSeconds() + " s"
                : "exited with code " + process.exitValue()) + "; its log:\n" + text);
    }

    /** Its address, as {@code DOCKER_HOST} takes it. */
    public String host() {
        return "unix://" + dir.resolve("docker.sock");
    }

    /** The engine's log so far (for failure messages). */
    public String log() {
        try {
            return Files.readString(dir.resolve("dockerd.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the engine (SIGTERM, then SIGKILL of it and its processes after 20 s) and removes its directory. */
    public void stop() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            TestDirectories.delete(dir);
        } catch (IOException | RuntimeException ignored) {
            // what the engine left mounted stays for the machine's next boot; nothing to do here
        }
    }
}
