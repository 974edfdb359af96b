package dev.agentkernel.core.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MountTableTest {

    @Test
    void aLineGivesItsMountPointTypeAndSource() {
        assertThat(MountTable.parse("36 35 98:0 / /var/lib/agentkernel/sandboxes/dev/fs rw,nosuid,nodev,noatime shared:1"
                + " - ext4 /dev/loop3 rw"))
                .contains(new MountTable.Entry(Path.of("/var/lib/agentkernel/sandboxes/dev/fs"), "ext4", "/dev/loop3"));
        // no optional fields
        assertThat(MountTable.parse("22 1 0:21 / /proc rw - proc proc rw"))
                .contains(new MountTable.Entry(Path.of("/proc"), "proc", "proc"));
    }

    @Test
    void octalEscapesAreDecoded() {
        assertThat(MountTable.parse("40 35 7:1 / /srv/my\\040state/fs rw - ext4 /dev/loop1 rw"))
                .contains(new MountTable.Entry(Path.of("/srv/my state/fs"), "ext4", "/dev/loop1"));
        assertThat(MountTable.unescape("a\\011b\\134c\\012")).isEqualTo("a\tb\\c\n");
        assertThat(MountTable.unescape("trailing\\04")).isEqualTo("trailing\\04");
    }

    @Test
    void malformedLinesAreSkipped() {
        assertThat(MountTable.parse("")).isEmpty();
        assertThat(MountTable.parse("36 35 98:0 / /x rw no-separator ext4 /dev/loop3 rw")).isEmpty();
    }

    @Test
    void thisProcessesRootIsInTheTable() {
        assertThat(MountTable.read()).anyMatch(e -> e.mountPoint().equals(Path.of("/")));
        assertThat(MountTable.at(Path.of("/"))).isPresent();
    }
}
