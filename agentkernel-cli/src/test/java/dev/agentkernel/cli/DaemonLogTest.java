package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading what a start appended to the log. */
class DaemonLogTest {

    @TempDir
    Path dir;

    @Test
    void onlyWhatWasAppendedAfterTheOffsetIsRead() throws Exception {
        DaemonLog log = new DaemonLog(dir.resolve("daemon.log"));
        assertThat(log.size()).isZero();
        assertThat(log.readFrom(0)).isEmpty();

        log.append("old run");
        long offset = log.size();
        log.append("agentkernel: serving on http://127.0.0.1:1234 (backend bwrap)");

        assertThat(log.readFrom(offset)).isEqualTo("agentkernel: serving on http://127.0.0.1:1234 (backend bwrap)\n");
        assertThat(log.readFrom(log.size())).isEmpty();
    }

    @Test
    void theLastNonBlankLines() {
        assertThat(DaemonLog.lastLines("a\n\nb\nc\n  \nd\n", 3)).containsExactly("b", "c", "d");
        assertThat(DaemonLog.lastLines("only\n", 20)).containsExactly("only");
        assertThat(DaemonLog.lastLines("", 20)).isEmpty();
    }

    @Test
    void aLargeLogIsMovedAside() throws Exception {
        DaemonLog log = new DaemonLog(dir.resolve("daemon.log"));
        Files.write(log.path(), new byte[(int) DaemonLog.ROTATE_BYTES + 1]);

        log.rotateIfLarge();

        assertThat(log.path()).doesNotExist();
        assertThat(dir.resolve("daemon.log.1")).exists();
        log.append("fresh");
        log.rotateIfLarge();
        assertThat(Files.readString(log.path())).isEqualTo("fresh\n");
    }
}
