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
 * and explicit ulimits, as the podman backend runs podman on these hosts. Nothing of the user's podman
 * is touched; {@link #close} resets the storage and deletes it.
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
        List<String> pull = new ArrayList<>(global(work));
        pull.addAll(List.of("pull", "-q", "--tls-verify=false", ref));
        BenchImages.run(pull);
        List<String> tag = new ArrayList<>(global(work));
        tag.addAll(List.of("tag", ref, IMAGE));
        BenchImages.run(tag);
        return baseline;
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
            BenchImages.run(reset);
        } catch (RuntimeException e) {
            System.err.println("bench: podman system reset: " + e.getMessage());
        }
        ImageBench.removeTree(runRoot());
        if (Files.exists(runRoot())) {
            System.err.println("bench: could not remove " + runRoot());
        }
    }
}
