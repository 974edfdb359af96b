package dev.agentkernel.image;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * External tools of the image integration tests, and the rule that a machine without them skips
 * the tests, except in CI ({@code CI} or {@code AGENTKERNEL_MUST_WORK} set), where it fails them.
 */
final class Tools {

    /** Command → Debian package, as installed by run-tests.sh. */
    static final Map<String, String> REQUIRED = Map.of(
            "docker-registry", "docker-registry", "skopeo", "skopeo", "umoci", "umoci",
            "busybox", "busybox-static", "htpasswd", "apache2-utils", "openssl", "openssl", "getfattr", "attr",
            "mmdebstrap", "mmdebstrap");

    private Tools() {
    }

    static boolean mustRun() {
        return List.of("CI", "AGENTKERNEL_MUST_WORK", "AGENTKERNEL_SANDBOX_TESTS_MUST_RUN").stream()
                .map(System::getenv)
                .anyMatch(v -> v != null && !v.isBlank() && !v.equalsIgnoreCase("false") && !v.equals("0"));
    }

    /** Skips (or, in CI, fails) unless this is Linux, root, and every required tool is on PATH. */
    static void requireHost() {
        require(System.getProperty("os.name", "").equals("Linux"), "image integration tests need Linux");
        require("root".equals(System.getProperty("user.name")), "image integration tests need root: layers "
                + "hold overlayfs whiteouts (mknod) and trusted.* xattrs, and owners are kept (run them as root, e.g. "
                + "through run-tests.sh)");
        for (var e : REQUIRED.entrySet()) {
            require(onPath(e.getKey()), "image integration tests need " + e.getKey() + " (apt-get install -y "
                    + e.getValue() + ")");
        }
    }

    private static void require(boolean ok, String why) {
        if (!ok && mustRun()) {
            fail(why + " [CI/AGENTKERNEL_MUST_WORK is set: failing instead of skipping]");
        }
        assumeTrue(ok, why);
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a command, failing with its output when it fails or takes more than two minutes. */
    static String run(List<String> command) {
        return run(command, null);
    }

    static String run(List<String> command, Path dir) {
        return run(command, dir, 120);
    }

    /** Runs a command, failing with its output when it fails or takes more than {@code seconds}. */
    static String run(List<String> command, Path dir, long seconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("failed (exit " + p.exitValue() + "): " + String.join(" ", command)
                        + "\n" + out.join() + err.join());
            }
            return out.join();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
