package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's {@code --reap} (how the bwrap backend starts every sandbox): it stays as its program's parent and
 * the reaper of whatever that program leaves, so that when it exits nothing it started is left (bubblewrap's
 * monitor exits before the sandbox's first process has finished leaving, which used to stay in the sandbox's cgroup
 * as an orphan of the host's init); it ends as its program ended, leaves stop signals to the sandbox, and dies with
 * AgentKernel's process.
 */
class LauncherReapIT {

    @TempDir
    static Path dir;
    static Path launcher;

    @BeforeAll
    static void extract() {
        Sandboxes.assumeSandboxHost();
        launcher = LauncherBinary.extractTo(dir.resolve("bin"));
    }

    private static Process start(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(launcher.toString()));
        argv.addAll(List.of(args));
        return new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static long millisToExit(Process p) throws Exception {
        long t0 = System.nanoTime();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("the launcher exited").isTrue();
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void itExitsWhenWhatItsProgramLeftBehindHasEndedWithTheProgramsStatus() throws Exception {
        // the shell exits at once with 5, leaving a background sleep: an orphan, reparented to the launcher
        Process reaping = start("--reap", "--", "/bin/sh", "-c", "/bin/sleep 0.6 & exit 5");
        long reapingMillis = millisToExit(reaping);
        assertThat(reaping.exitValue()).isEqualTo(5);
        assertThat(reapingMillis).as("waited for the orphan").isGreaterThanOrEqualTo(500);

        Process execing = start("--", "/bin/sh", "-c", "/bin/sleep 0.6 & exit 5");
        long execMillis = millisToExit(execing);
        assertThat(execing.exitValue()).isEqualTo(5);
        assertThat(execMillis).as("without --reap the orphan is left to the host's init").isLessThan(400);
    }

    @Test
    void aProgramKilledByASignalEndsTheLauncherWithTheSameSignal() throws Exception {
        Process killed = start("--reap", "--", "/bin/sh", "-c", "kill -KILL $$");
        millisToExit(killed);
        assertThat(killed.exitValue()).as("128 + SIGKILL, as the JDK reports a signal").isEqualTo(137);
        Process terminated = start("--reap", "--", "/bin/sh", "-c", "kill -TERM $$");
        millisToExit(terminated);
        assertThat(terminated.exitValue()).as("128 + SIGTERM").isEqualTo(143);
    }

    @Test
    void aStopSignalToTheLauncherIsLeftToTheSandbox() throws Exception {
        Process p = start("--reap", "--", "/bin/sleep", "0.5");
        Thread.sleep(150);
        p.destroy(); // SIGTERM: a graceful stop signals the sandbox's processes, not its supervisors
        millisToExit(p);
        assertThat(p.exitValue()).as("the program ran to its end").isZero();
    }

    @Test
    void itDiesWithTheProcessThatStartedIt() throws Exception {
        // a shell stands for AgentKernel's process: it starts the launcher and prints its pid
        Process parent = new ProcessBuilder("/bin/sh", "-c", launcher + " --reap -- /bin/sleep 30 & echo $!; wait")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<ProcessHandle> programs = List.of();
        try {
            long pid;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(),
                    StandardCharsets.UTF_8))) {
                pid = Long.parseLong(out.readLine().trim());
            }
            ProcessHandle launched = ProcessHandle.of(pid).orElseThrow();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((programs = launched.children().toList()).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(programs).as("the launcher's program").isNotEmpty();
            parent.destroyForcibly();
            assertThat(launched.onExit().get(5, TimeUnit.SECONDS).isAlive()).as("the launcher after its parent died")
                    .isFalse();
        } finally {
            parent.destroyForcibly();
            programs.forEach(ProcessHandle::destroyForcibly); // plain sleep has no --die-with-parent of its own
        }
    }
}
