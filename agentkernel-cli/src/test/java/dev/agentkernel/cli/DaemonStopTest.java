package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code daemon stop} against processes that look like daemons. */
class DaemonStopTest {

    @TempDir
    Path dir;

    /** Exit code, stdout and stderr of one invocation. */
    private record Result(int code, String out, String err) {
    }

    private Result stop(DaemonFiles files, Duration timeout) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new DaemonStop(new DaemonRegistry(files), timeout).run(new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void nothingToStopIsFine() throws Exception {
        Result r = stop(new DaemonFiles(dir), Duration.ofSeconds(1));
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("agentkernel: daemon is not running\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aStalePidFileIsRemovedAndNothingIsSignalled() throws Exception {
        DaemonFiles files = new DaemonFiles(dir);
        files.writePid(ProcessHandle.current().pid());

        Result r = stop(files, Duration.ofSeconds(1));

        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("agentkernel: daemon is not running\n");
        assertThat(files.pidFile()).doesNotExist();
    }

    @Test
    void sigtermStopsIt() throws Exception {
        try (FakeDaemonProcess fake = FakeDaemonProcess.start()) {
            DaemonFiles files = new DaemonFiles(dir);
            files.writePid(fake.pid());

            Result r = stop(files, Duration.ofSeconds(10));

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("agentkernel: daemon stopped (pid " + fake.pid() + ")\n");
            assertThat(DaemonProcesses.isAlive(fake.pid())).isFalse();
            assertThat(files.pidFile()).doesNotExist();
        }
    }

    @Test
    void oneThatIgnoresSigtermIsKilledWithItsChildrenAfterTheTimeout() throws Exception {
        try (FakeDaemonProcess fake = FakeDaemonProcess.ignoringSigterm()) {
            DaemonFiles files = new DaemonFiles(dir);
            files.writePid(fake.pid());
            var children = fake.process.descendants().toList();
            assertThat(children).isNotEmpty();

            Result r = stop(files, Duration.ofMillis(300));

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("agentkernel: daemon did not stop within 0.3 s; killed it (pid " + fake.pid() + ")\n");
            assertThat(DaemonProcesses.isAlive(fake.pid())).isFalse();
            for (ProcessHandle child : children) {
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (DaemonProcesses.isAlive(child.pid()) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(DaemonProcesses.isAlive(child.pid())).as("child " + child.pid()).isFalse();
            }
            assertThat(files.pidFile()).doesNotExist();
        }
    }
}
