package dev.agentkernel.backend.bwrap;

import dev.agentkernel.core.process.Spawner;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * User-mode networking for one sandbox: a slirp4netns process attached to the sandbox's
 * network namespace, under {@code ak-netguard} ({@link NetGuardBinary}).
 *
 * <p>slirp4netns opens the sandbox's connections itself, from the host's network namespace, so
 * on its own it would reach every service on the host's non-loopback addresses and every
 * private network the host is on ({@code --disable-host-loopback} only covers 127.0.0.1). The
 * guard runs it under a seccomp filter that hands each {@code connect}, addressed
 * {@code sendto}, {@code sendmsg} and {@code sendmmsg} to the guard, which refuses every
 * destination the kernel would deliver to the host itself (any address of any interface, of
 * either family, also one added later) and the ranges the {@link EgressPolicy} denies; DNS to
 * the host's resolvers (port 53) stays open. It needs no privilege. slirp4netns exits when its
 * stdin closes ({@code --exit-fd 0}), so it also ends if AgentKernel dies; the guard then exits
 * too, and slirp4netns is killed if the guard dies first.
 */
final class SlirpNetwork implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
    private final Process process;

    private SlirpNetwork(Process process) {
        this.process = process;
    }

    /**
     * Attaches to the network namespace of {@code pid} and waits until the interface is up.
     *
     * @param guard     the {@code ak-netguard} program
     * @param guardArgs its policy ({@link EgressPolicy#guardArguments})
     * @param log       file that receives the diagnostics of slirp4netns and the guard
     * @throws SandboxFailureException with slirp4netns's own message if it fails
     */
    static SlirpNetwork attach(Path slirp, Path guard, List<String> guardArgs, long pid, Path log) {
        List<String> argv = new ArrayList<>();
        argv.add(guard.toString());
        argv.addAll(guardArgs);
        argv.addAll(List.of("--", slirp.toString(), "--configure", "--mtu=65520",
                "--disable-host-loopback", "--enable-sandbox", "--enable-seccomp", "--ready-fd=1", "--exit-fd=0",
                Long.toString(pid), "tap0"));
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().clear();
        builder.redirectError(log.toFile());
        Process process = Spawner.start(builder);
        InputStream ready = process.getInputStream();
        CompletableFuture<Integer> signal = new CompletableFuture<>();
        Thread.ofVirtual().name("ak-slirp-ready").start(() -> {
            try {
                signal.complete(ready.read());
            } catch (IOException e) {
                signal.complete(-1);
            }
        });
        try {
            Integer first = signal.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (first == null || first < 0) {
                throw new SandboxFailureException("network setup failed: slirp4netns: " + diagnostics(log, process));
            }
            return new SlirpNetwork(process);
        } catch (java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            throw new SandboxFailureException("network setup timed out after " + READY_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new SandboxFailureException("interrupted during network setup", e);
        } catch (java.util.concurrent.ExecutionException e) {
            process.destroyForcibly();
            throw new SandboxFailureException("network setup failed: " + e.getCause(), e.getCause());
        }
    }

    private static String diagnostics(Path log, Process process) {
        try {
            process.waitFor(1, TimeUnit.SECONDS);
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "exited with " + process.exitValue() : text.lines().reduce((a, b) -> b).orElse(text);
        } catch (IOException | InterruptedException | IllegalThreadStateException e) {
            return "no diagnostics";
        }
    }

    /** Stops slirp4netns (closing its stdin) and waits briefly; never throws. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(500, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(500, TimeUnit.MILLISECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
