package dev.agentkernel.core.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.SandboxFailureException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpawnerAndFifoTest {

    @TempDir
    Path tmp;

    @Test
    void spawnerStartsTheProcess() throws Exception {
        Process p = Spawner.start(new ProcessBuilder("sh", "-c", "exit 7"));

        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(7);
    }

    @Test
    void aProgramThatCannotStartIsASandboxFailureNamingIt() {
        assertThatThrownBy(() -> Spawner.start(new ProcessBuilder("/nonexistent/agentkernel-test-program", "x")))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageStartingWith("cannot start /nonexistent/agentkernel-test-program: ");
    }

    @Test
    void aFifoIsCreatedForTheOwnerOnly() throws Exception {
        Path fifo = Fifo.create(tmp.resolve("info"));

        assertThat(fifo).isEqualTo(tmp.resolve("info"));
        int mode = (Integer) Files.getAttribute(fifo, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        assertThat(mode & 0170000).as("file type S_IFIFO").isEqualTo(0010000);
        assertThat(mode & 0077).as("no access for group and others").isZero();
        assertThat(mode & 0600).isEqualTo(0600);
    }

    @Test
    void aFifoOverAnExistingFileIsRefused() throws Exception {
        Path existing = Files.writeString(tmp.resolve("taken"), "x");

        assertThatThrownBy(() -> Fifo.create(existing))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessage("cannot create FIFO " + existing);
        assertThat(Files.readString(existing)).isEqualTo("x");
    }
}
