package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code cp} reads its two paths and where a download goes. */
class CpPlanTest {

    @TempDir
    Path dir;

    @Test
    void remotePathsAreNameColonAbsolutePath() {
        assertThat(CopyPath.parse("box:/workspace/a b.txt")).isEqualTo(new CopyPath.Remote("box", "/workspace/a b.txt"));
        assertThat(CopyPath.parse("my_box-2:/x:y")).isEqualTo(new CopyPath.Remote("my_box-2", "/x:y"));
        assertThat(CopyPath.parse("-")).isEqualTo(new CopyPath.Stdio());
    }

    @Test
    void pathsThatAreNotNameColonAreLocal() {
        for (String local : List.of("file.txt", "./a:b", "/abs/a:b", "../x", "-x:/y", "a.b:/c", "C")) {
            assertThat(CopyPath.parse(local)).as(local).isEqualTo(new CopyPath.Local(local));
        }
    }

    @Test
    void badRemotePaths() {
        assertThatThrownBy(() -> CopyPath.parse("box:")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("'box:' names no file: give the path in the sandbox, e.g. box:/workspace/file.txt");
        assertThatThrownBy(() -> CopyPath.parse("box:rel/x")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("the path in the sandbox must be absolute: 'box:rel/x' (e.g. box:/workspace/rel/x)");
        assertThatThrownBy(() -> CopyPath.parse("box:/a/../etc/passwd")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("the path in the sandbox must not contain '.' or '..': 'box:/a/../etc/passwd'");
        assertThatThrownBy(() -> CopyPath.parse("")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void exactlyOneSideIsInASandbox() {
        assertThat(CpCommand.plan(List.of("a.txt", "box:/tmp/a.txt")))
                .isEqualTo(new CpCommand.Plan(new CopyPath.Local("a.txt"), new CopyPath.Remote("box", "/tmp/a.txt")));
        assertThat(CpCommand.plan(List.of("box:/tmp/a.txt", "-")).to()).isEqualTo(new CopyPath.Stdio());
        assertThatThrownBy(() -> CpCommand.plan(List.of("-", "-"))).hasMessageStartingWith("one of SRC and DST");
        assertThatThrownBy(() -> CpCommand.plan(List.of("a:/x", "b:/y"))).hasMessageContaining("not between two sandboxes");
        assertThatThrownBy(() -> CpCommand.plan(List.of("a", "b:/y", "c"))).hasMessage("cp copies one file: unexpected argument 'c'");
        assertThatThrownBy(() -> CpCommand.plan(List.of("-", "b:/dir/"))).hasMessage(
                "copying stdin needs a file name: 'b:/dir/' is a directory");
    }

    @Test
    void aDownloadIntoADirectoryKeepsTheFileName() throws Exception {
        CopyPath.Remote from = new CopyPath.Remote("box", "/workspace/report.pdf");
        assertThat(CpCommand.localTarget(dir.toString(), from)).isEqualTo(dir.resolve("report.pdf"));
        assertThat(CpCommand.localTarget(dir.resolve("new.pdf").toString(), from)).isEqualTo(dir.resolve("new.pdf"));
        assertThatThrownBy(() -> CpCommand.localTarget(dir.resolve("nodir/x.pdf").toString(), from))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> CpCommand.localTarget(dir.resolve("nodir") + "/", from))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("does not exist");
        Files.createDirectory(dir.resolve("sub"));
        assertThat(CpCommand.localTarget(dir.resolve("sub") + "/", from)).isEqualTo(dir.resolve("sub").resolve("report.pdf"));
        assertThat(CopyPath.fileName("/a/b/")).isEqualTo("b");
    }
}
