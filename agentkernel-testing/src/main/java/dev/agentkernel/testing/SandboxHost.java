package dev.agentkernel.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether this machine can run the tests that need real sandboxes (or other host tools), and what
 * happens when it cannot: the test is skipped, except where it must run (CI, {@code run-tests.sh} as
 * root), where it fails instead, so that a security test never passes by not running (like
 * bubblewrap's {@code BWRAP_MUST_WORK}).
 */
public final class SandboxHost {

    /**
     * Variables that make a test that cannot run here a failure instead of a skip, when set to
     * anything but {@code ""}, {@code "0"} or {@code "false"}: {@code CI} (set by GitHub Actions,
     * GitLab CI and most CI services, and by {@code .ci/run}), {@code AGENTKERNEL_MUST_WORK} (set by
     * {@code run-tests.sh} as root) and {@code AGENTKERNEL_SANDBOX_TESTS_MUST_RUN}.
     */
    public static final List<String> MUST_RUN_VARIABLES =
            List.of("CI", "AGENTKERNEL_MUST_WORK", "AGENTKERNEL_SANDBOX_TESTS_MUST_RUN");

    /** Where {@link #onPath} also looks, after {@code PATH}. */
    private static final String USUAL_DIRECTORIES = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";

    private SandboxHost() {
    }

    /** Tells whether tests must run here: one of {@link #MUST_RUN_VARIABLES} is set (and not "0" or "false"). */
    public static boolean mustRun() {
        return mustRunBecause().isPresent();
    }

    /** The first of {@link #MUST_RUN_VARIABLES} that is set, as {@code NAME=value}; empty when none is. */
    public static Optional<String> mustRunBecause() {
        for (String name : MUST_RUN_VARIABLES) {
            String value = System.getenv(name);
            if (value != null && !value.isBlank() && !value.equalsIgnoreCase("false") && !value.equals("0")) {
                return Optional.of(name + "=" + value);
            }
        }
        return Optional.empty();
    }

    /**
     * Skips the calling test (or test class, from a {@code @BeforeAll}) unless {@code met}; when
     * {@link #mustRun()}, fails it instead with {@code why} and the variable that made it fail.
     *
     * @param why what the test needs and how to provide it ("... need bubblewrap on PATH (apt-get
     *            install -y bubblewrap)")
     */
    public static void require(boolean met, String why) {
        if (met) {
            return;
        }
        Optional<String> because = mustRunBecause();
        if (because.isPresent()) {
            throw new AssertionError(why + " (failing instead of skipping: " + because.get() + " is set, and a test "
                    + "that cannot run must fail; see SandboxHost.MUST_RUN_VARIABLES)");
        }
        Assumptions.assumeTrue(false, why);
    }

    /**
     * Skips (or, when {@link #mustRun()}, fails) the calling tests unless this machine can run
     * bubblewrap sandboxes as the tests do: Linux, root, bubblewrap on the path.
     *
     * @param tests how the calling tests name themselves in the message ("server integration tests")
     */
    public static void requireSandboxHost(String tests) {
        require(System.getProperty("os.name", "").equals("Linux"), tests + " need Linux");
        require(isRoot(), tests + " need root: sandboxes create cgroups under /sys/fs/cgroup and start bubblewrap "
                + "as root (run them as root, e.g. through run-tests.sh)");
        require(onPath("bwrap").isPresent(), tests + " need bubblewrap on PATH (apt-get install -y bubblewrap)");
    }

    /** Tells whether this process runs as root (uid 0); false when that cannot be read. */
    public static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The executable {@code program} on {@code PATH} or in the usual system directories; empty if none. */
    public static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + USUAL_DIRECTORIES;
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir, program));
            }
        }
        return Optional.empty();
    }
}
