package dev.agentkernel.image;

import dev.agentkernel.testing.SandboxHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * External tools of the image integration tests, and the rule that a machine without them skips
 * the tests, except where they must run ({@link SandboxHost#MUST_RUN_VARIABLES}), where it fails them.
 */
final class Tools {

    /** Command → Debian package, as installed by run-tests.sh. */
    static final Map<String, String> REQUIRED = Map.of(
            "docker-registry", "docker-registry", "skopeo", "skopeo", "umoci", "umoci",
            "busybox", "busybox-static", "htpasswd", "apache2-utils", "openssl", "openssl", "getfattr", "attr",
            "mmdebstrap", "mmdebstrap");

    private Tools() {
    }

    /** Skips (or, where tests must run, fails) unless this is Linux, root, and every required tool is on PATH. */
    static void requireHost() {
        SandboxHost.require(System.getProperty("os.name", "").equals("Linux"), "image integration tests need Linux");
        SandboxHost.require(SandboxHost.isRoot(), "image integration tests need root: layers "
                + "hold overlayfs whiteouts (mknod) and trusted.* xattrs, and owners are kept (run them as root, e.g. "
                + "through run-tests.sh)");
        for (var e : REQUIRED.entrySet()) {
            SandboxHost.require(SandboxHost.onPath(e.getKey()).isPresent(), "image integration tests need "
                    + e.getKey() + " (apt-get install -y " + e.getValue() + ")");
        }
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
