package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which processes count as a live daemon. */
class DaemonProcessesTest {

    @Test
    void aDaemonRunsTheMainClassWithServeAfterIt() {
        assertThat(DaemonProcesses.isDaemonCommandLine(List.of("/usr/bin/java", "--enable-native-access=ALL-UNNAMED", "-cp",
                "a.jar:b.jar", "dev.agentkernel.cli.Main", "serve", "--port", "0"))).isTrue();
        assertThat(DaemonProcesses.isDaemonCommandLine(List.of("setsid", "java", "-cp", "x", "dev.agentkernel.cli.Main",
                "serve"))).isTrue();
    }

    @Test
    void otherCommandLinesAreNot() {
        assertThat(DaemonProcesses.isDaemonCommandLine(List.of("java", "-cp", "x", "dev.agentkernel.cli.Main", "run", "--", "true")))
                .isFalse();
        assertThat(DaemonProcesses.isDaemonCommandLine(List.of("java", "serve", "dev.agentkernel.cli.Main"))).isFalse();
        assertThat(DaemonProcesses.isDaemonCommandLine(List.of("vim", "dev.agentkernel.cli.Main.java", "serve"))).isFalse();
        assertThat(DaemonProcesses.isDaemonCommandLine(List.of("java", "-cp", "x", "other.Main", "serve"))).isFalse();
        assertThat(DaemonProcesses.isDaemonCommandLine(List.of())).isFalse();
    }

    @Test
    void zombiesAndDeadProcessesHaveExited() {
        assertThat(DaemonProcesses.isZombieStat("123 (java) S 1 123 123 0 -1")).isFalse();
        assertThat(DaemonProcesses.isZombieStat("123 (java) R 1 123 123 0 -1")).isFalse();
        assertThat(DaemonProcesses.isZombieStat("123 (a) b) Z 1 123 123 0 -1")).isTrue();
        assertThat(DaemonProcesses.isZombieStat("123 (java) X 1")).isTrue();
        assertThat(DaemonProcesses.isZombieStat("garbage")).isTrue();
    }

    @Test
    void thisTestIsAliveButNoDaemon() {
        long self = ProcessHandle.current().pid();
        assertThat(DaemonProcesses.isAlive(self)).isTrue();
        assertThat(DaemonProcesses.commandLine(self)).hasValueSatisfying(argv -> assertThat(argv).isNotEmpty());
        assertThat(DaemonProcesses.isDaemon(self)).isFalse();
    }

    @Test
    void aLiveProcessWithADaemonsCommandLineIsOneUntilItExits() throws Exception {
        long pid;
        try (FakeDaemonProcess fake = FakeDaemonProcess.start()) {
            pid = fake.pid();
            assertThat(DaemonProcesses.isDaemon(pid)).isTrue();
        }
        assertThat(DaemonProcesses.isDaemon(pid)).isFalse();
    }

    @Test
    void anExitedButUnreapedChildIsNotAlive() throws Exception {
        Process child = new ProcessBuilder("sh", "-c", "exit 0").start();
        // Wait until it exited without reaping it ourselves: the JDK reaps it, but it may be a zombie meanwhile.
        child.waitFor(5, TimeUnit.SECONDS);
        assertThat(DaemonProcesses.isAlive(child.pid())).isFalse();
    }
}
