package dev.agentkernel.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * podman's own way of running {@code /bin/true} on the bench image, the baseline of the podman
 * backend: the image pulled from the bench's loopback registry into a podman storage of the bench's
 * own (overlay, under the bench's work directory; its run directory under {@code /run}, as podman
 * wants it short), then {@code podman run --rm --network none IMAGE /bin/true} with runc, cgroupfs
 * and explicit ulimits, as the podman backend runs podman on these hosts; file locks in its temporary
 * directory as the backend's (a {@code containers.conf} of its own), so nothing of the user's podman
 * (storage, {@code /run/containers}, the shared-memory locks) is touched; {@link #close} resets the
 * storage and deletes it.
 */
final class PodmanBaseline implements AutoCloseable {

    private static final String IMAGE = "localhost/bench/busybox:1";

    private final Path work;

    private PodmanBaseline(Path work) {
        this.work = work;
    }

    /** Pulls {@code ref} (on the loopback registry, plain HTTP) into the bench's podman storage as {@link #IMAGE}. */
    static PodmanBaseline pull(Path work, String ref) {
        PodmanBaseline baseline = new PodmanBaseline(work);
        try {
            Files.createDirectories(work.resolve("podman"));
            Files.writeString(config(work), "[engine]\nlock_type = \"file\"\nevents_logger = \"none\"\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write podman's configuration: " + e.getMessage(), e);
        }
        List<String> pull = new ArrayList<>(global(work));
        pull.addAll(List.of("pull", "-q", "--tls-verify=false", ref));
        podman(work, pull);
        List<String> tag = new ArrayList<>(global(work));
        tag.addAll(List.of("tag", ref, IMAGE));
        podman(work, tag);
        return baseline;
    }

    /** The environment podman runs with: its configuration file. */
    static void environment(Path work, ProcessBuilder builder) {
        builder.environment().put("CONTAINERS_CONF", config(work).toString());
    }

    private static Path config(Path work) {
        return work.resolve("podman/containers.conf");
    }

    private static void podman(Path work, List<String> argv) {
        try {
            ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            environment(work, builder);
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + ": no exit within 5 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", argv) + " exited with " + p.exitValue() + ": "
                        + out.strip());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot run podman: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running podman", e);
        }
    }

    /** {@code podman [GLOBAL] run --rm ... IMAGE /bin/true}. */
    static List<String> run(Path work) {
        List<String> argv = new ArrayList<>(global(work));
        argv.addAll(List.of("run", "--rm", "--network", "none", "--pull", "never", "--ulimit", "nofile=1024:1024",
                "--ulimit", "nproc=4096:4096", IMAGE, "/bin/true"));
        return argv;
    }

    private static Path runRoot() {
        return Path.of("/run/akpb-" + ProcessHandle.current().pid());
    }

    private static List<String> global(Path work) {
        return List.of("podman", "--root", work.resolve("podman/storage").toString(), "--runroot", runRoot().toString(),
                "--tmpdir", work.resolve("podman/tmp").toString(), "--storage-driver", "overlay", "--runtime", "runc",
                "--cgroup-manager", "cgroupfs", "--events-backend", "none");
    }

    /** {@code podman system reset} of the bench's storage (unmounts it), then its directories go. */
    @Override
    public void close() throws IOException {
        List<String> reset = new ArrayList<>(global(work));
        reset.addAll(List.of("system", "reset", "--force"));
        try {
            podman(work, reset);
        } catch (RuntimeException e) {
            System.err.println("bench: podman system reset: " + e.getMessage());
        }
        ImageBench.removeTree(runRoot());
        if (Files.exists(runRoot())) {
            System.err.println("bench: could not remove " + runRoot());
        }
    }
}
