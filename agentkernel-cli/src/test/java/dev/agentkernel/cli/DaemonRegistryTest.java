package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding the running daemon from its files, and removing stale ones. */
class DaemonRegistryTest {

    @TempDir
    Path dir;

    private DaemonInfo info(long pid) {
        return new DaemonInfo(pid, new DaemonAddress("127.0.0.1", 18888), Instant.parse("2025-01-01T00:00:00Z"), "/x.log");
    }

    @Test
    void noPidFileMeansNotRunning() throws Exception {
        DaemonFiles files = new DaemonFiles(dir);
        assertThat(new DaemonRegistry(files, pid -> true).find()).isEmpty();
    }

    @Test
    void aLiveDaemonIsFoundWithItsAddress() throws Exception {
        DaemonFiles files = new DaemonFiles(dir);
        files.writePid(77);
        files.writeInfo(info(77));

        assertThat(new DaemonRegistry(files, pid -> pid == 77).find())
                .contains(new DaemonRegistry.Running(77, Optional.of(info(77))));
        assertThat(files.pidFile()).exists();
    }

    @Test
    void aStartingDaemonHasNoAddressYet() throws Exception {
        DaemonFiles files = new DaemonFiles(dir);
        files.writePid(77);
        assertThat(new DaemonRegistry(files, pid -> true).find()).contains(new DaemonRegistry.Running(77, Optional.empty()));
    }

    @Test
    void anAddressOfAnotherPidIsIgnored() throws Exception {
        DaemonFiles files = new DaemonFiles(dir);
        files.writePid(77);
        files.writeInfo(info(76));
        assertThat(new DaemonRegistry(files, pid -> true).find()).contains(new DaemonRegistry.Running(77, Optional.empty()));
    }

    @Test
    void aStalePidFileIsRemovedWithTheAddress() throws Exception {
        DaemonFiles files = new DaemonFiles(dir);
        files.writePid(77);
        files.writeInfo(info(77));

        assertThat(new DaemonRegistry(files, pid -> false).find()).isEmpty();
        assertThat(files.pidFile()).doesNotExist();
        assertThat(files.infoFile()).doesNotExist();
    }

    @Test
    void aCorruptPidFileIsRemoved() throws Exception {
        DaemonFiles files = new DaemonFiles(dir);
        Files.writeString(files.pidFile(), "not a pid\n");
        assertThat(new DaemonRegistry(files, pid -> true).find()).isEmpty();
        assertThat(files.pidFile()).doesNotExist();
    }

    @Test
    void aPidNowUsedByAnotherProgramIsStale() throws Exception {
        DaemonFiles files = new DaemonFiles(dir);
        files.writePid(ProcessHandle.current().pid());
        assertThat(new DaemonRegistry(files).find()).isEmpty();
        assertThat(files.pidFile()).doesNotExist();
    }

    @Test
    void aPidOfAnExitedProcessIsStale() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        DaemonFiles files = new DaemonFiles(dir);
        files.writePid(gone.pid());
        assertThat(new DaemonRegistry(files).find()).isEmpty();
        assertThat(files.pidFile()).doesNotExist();
    }

    @Test
    void aLiveProcessThatLooksLikeADaemonIsKept() throws Exception {
        try (FakeDaemonProcess fake = FakeDaemonProcess.start()) {
            DaemonFiles files = new DaemonFiles(dir);
            files.writePid(fake.pid());
            assertThat(new DaemonRegistry(files).find()).map(DaemonRegistry.Running::pid).contains(fake.pid());
            assertThat(files.pidFile()).exists();
        }
    }
}
