package dev.agentkernel.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The freezer's files, on plain files standing in for the kernel's (which answer at once here). */
class FreezerTest {

    @TempDir
    Path dir;

    @Test
    void v1WritesFrozenAndThawedToFreezerState() throws IOException {
        Files.writeString(dir.resolve("freezer.state"), "THAWED");
        Freezer freezer = Freezer.of(Optional.of(dir), Optional.empty());
        assertThat(freezer).isInstanceOf(Freezer.V1.class);
        assertThat(freezer.frozen()).isFalse();
        freezer.freeze(); // the file now says FROZEN, as the kernel would once every task is frozen
        assertThat(Files.readString(dir.resolve("freezer.state"))).isEqualTo("FROZEN");
        assertThat(freezer.frozen()).isTrue();
        freezer.thaw();
        assertThat(Files.readString(dir.resolve("freezer.state"))).isEqualTo("THAWED");
        assertThat(freezer.frozen()).isFalse();
    }

    @Test
    void v2WaitsForTheEventsFileAndThawsAgainWhenItNeverSaysFrozen() throws IOException {
        Files.writeString(dir.resolve("cgroup.freeze"), "0");
        Files.writeString(dir.resolve("cgroup.events"), "populated 1\nfrozen 1\n");
        Freezer freezer = Freezer.of(Optional.empty(), Optional.of(dir));
        assertThat(freezer).isInstanceOf(Freezer.V2.class);
        freezer.freeze();
        assertThat(Files.readString(dir.resolve("cgroup.freeze"))).isEqualTo("1");
        assertThat(freezer.frozen()).isTrue();

        Files.writeString(dir.resolve("cgroup.events"), "populated 1\nfrozen 0\n");
        assertThatThrownBy(freezer::freeze).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("did not freeze within 5 s");
        assertThat(Files.readString(dir.resolve("cgroup.freeze"))).as("thawed again").isEqualTo("0");
    }

    @Test
    void withoutAFreezerPausingIsUnavailableWithTheFix() {
        Freezer none = Freezer.of(Optional.empty(), Optional.empty());
        assertThatThrownBy(none::freeze).isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining("mount the freezer controller");
        none.thaw();
        assertThat(none.frozen()).isFalse();
    }
}
