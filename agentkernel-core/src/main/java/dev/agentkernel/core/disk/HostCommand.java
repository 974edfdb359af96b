package dev.agentkernel.core.disk;

import dev.agentkernel.core.process.Spawner;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a host program (mkfs, mount, umount, losetup) to its end. Package-private. */
final class HostCommand {

    private static final long TIMEOUT_SECONDS = 60;

    private HostCommand() {
    }

    /**
     * Runs {@code argv} with a clean environment, its output (stdout and stderr together)
     * drained while it runs.
     *
     * @throws SandboxFailureException naming the command and quoting its output if it fails or
     *         does not end within a minute (it is killed then)
     */
    static void run(List<String> argv) {
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        builder.environment().put("LC_ALL", "C");
        String command = String.join(" ", argv);
        Process process = Spawner.start(builder);
        CompletableFuture<byte[]> output = new CompletableFuture<>();
        Thread.ofVirtual().name("ak-disk-output").start(() -> {
            try (InputStream in = process.getInputStream()) {
                output.complete(in.readAllBytes());
            } catch (IOException e) {
                output.complete(new byte[0]);
            }
        });
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new SandboxFailureException(command + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                String text = new String(output.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip();
                throw new SandboxFailureException(command + " failed (exit " + process.exitValue() + ")"
                        + (text.isEmpty() ? "" : ": " + text.replace('\n', ' ')));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new SandboxFailureException("interrupted while running " + command, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new SandboxFailureException(command + " failed (exit " + process.exitValue() + ")", e);
        }
    }
}
