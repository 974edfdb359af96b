package dev.agentkernel.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code node} and {@code npm} for the integration tests that drive Node.js clients against
 * the server ({@link GeneratedClientIT}, {@link NodeClientCompatIT}): stderr merged into stdout,
 * no stdin, npm's update notice off, the program and its children killed after a time limit.
 */
final class NodeExec {

    private NodeExec() {
    }

    /** How a program ended ({@code -1}: killed at its limit) and what it printed. */
    record Result(int exitCode, String output) {
        /** {@code exit N} on the first line, then the output. */
        String transcript() {
            return "exit " + exitCode + "\n" + output;
        }
    }

    /** Runs {@code argv} in {@code dir} with {@code env} added to this JVM's environment. */
    static Result exec(List<String> argv, Path dir, Map<String, String> env, Duration limit) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("npm_config_update_notifier", "false");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(cannot read output: " + e + ")";
            }
        });
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            return new Result(-1, String.join(" ", argv) + " did not finish within " + limit + "; output so far:\n"
                    + out.getNow("(none)"));
        }
        return new Result(p.exitValue(), out.get(30, TimeUnit.SECONDS));
    }
}
