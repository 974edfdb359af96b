package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pid file and daemon.json: format, round trips, and what counts as unreadable. */
class DaemonFilesTest {

    @TempDir
    Path dir;

    @Test
    void aPidFileHoldsOnePositiveWholeNumberOnItsFirstLine() {
        assertThat(DaemonFiles.parsePid("1234\n")).isEqualTo(OptionalLong.of(1234));
        assertThat(DaemonFiles.parsePid("  42  \nhost=whatever\n")).isEqualTo(OptionalLong.of(42));
        assertThat(DaemonFiles.parsePid("7")).isEqualTo(OptionalLong.of(7));
    }

    @Test
    void anythingElseIsNoPid() {
        for (String bad : new String[] {"", "\n", "0\n", "-5\n", "12a\n", "abc", "1.5", "99999999999999999999999", "\n1234"}) {
            assertThat(DaemonFiles.parsePid(bad)).as("'%s'", bad).isEmpty();
        }
    }

    @Test
    void pidAndInfoRoundTrip() throws Exception {
        DaemonFiles files = new DaemonFiles(dir.resolve("state"));
        assertThat(files.readPid()).isEmpty();
        assertThat(files.readInfo()).isEmpty();

        files.writePid(4242);
        DaemonInfo info = new DaemonInfo(4242, new DaemonAddress("0.0.0.0", 39999), Instant.parse("2025-05-01T10:00:00Z"),
                "/var/log/x.log");
        files.writeInfo(info);

        assertThat(Files.readString(files.pidFile())).isEqualTo("4242\n");
        assertThat(files.readPid()).isEqualTo(OptionalLong.of(4242));
        assertThat(files.readInfo()).contains(info);
        assertThat(Files.readString(files.infoFile())).contains("\"url\" : \"http://127.0.0.1:39999\"");
        try (var listing = Files.list(files.dir())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("daemon.pid", "daemon.json");
        }

        files.remove();
        assertThat(files.hasPidFile()).isFalse();
        assertThat(files.infoFile()).doesNotExist();
    }

    @Test
    void anUnreadableInfoFileIsNoInfo() throws Exception {
        DaemonFiles files = new DaemonFiles(dir);
        Files.writeString(files.infoFile(), "{not json");
        assertThat(files.readInfo()).isEmpty();
        Files.writeString(files.infoFile(), "{\"pid\": 1, \"host\": \"127.0.0.1\"}");
        assertThat(files.readInfo()).isEmpty();
        Files.writeString(files.infoFile(), "{\"pid\": 1, \"host\": \"127.0.0.1\", \"port\": 0}");
        assertThat(files.readInfo()).isEmpty();
        Files.writeString(files.infoFile(), "{\"pid\": 1, \"host\": \"127.0.0.1\", \"port\": 80, \"started_at\": \"yesterday\"}");
        assertThat(files.readInfo()).isEmpty();
    }

    @Test
    void anInfoFileWithoutOptionalFieldsIsRead() throws Exception {
        DaemonFiles files = new DaemonFiles(dir);
        Files.writeString(files.infoFile(), "{\"pid\": 9, \"host\": \"127.0.0.1\", \"port\": 80, \"extra\": true}");
        assertThat(files.readInfo()).contains(new DaemonInfo(9, new DaemonAddress("127.0.0.1", 80), Instant.EPOCH, ""));
    }

    @Test
    void theStartLockCanBeTakenAgainOnceReleased() throws Exception {
        DaemonFiles files = new DaemonFiles(dir.resolve("fresh"));
        try (var lock = files.lock()) {
            assertThat(files.lockFile()).exists();
        }
        try (var again = files.lock()) {
            assertThat(again).isNotNull();
        }
    }
}
