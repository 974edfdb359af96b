package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code daemon start}'s options become {@code serve}'s arguments, checked first. */
class DaemonStartOptionsTest {

    @TempDir
    Path dir;

    private static CommandLine parse(String... args) throws Exception {
        return new DefaultParser().parse(new DaemonCommand().options(), args);
    }

    @Test
    void everyOptionIsPassedToServe() throws Exception {
        DaemonStartOptions options = DaemonStartOptions.from(parse("start", "--port", "0", "--max-sandboxes", "8",
                "--pool-size", "2", "--backend", "bwrap", "--allow-dir", dir.toString(), "--allow-dir", dir + "/."));
        assertThat(options.serveArgs()).containsExactly("serve", "--host", "127.0.0.1", "--port", "0",
                "--max-sandboxes", "8", "--pool-size", "2", "--backend", "bwrap",
                "--allow-dir", dir.toString(), "--allow-dir", dir.toString());
    }

    @Test
    void aMissingAllowedDirectoryIsRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> DaemonStartOptions.from(parse("start", "--allow-dir", dir.resolve("missing").toString())))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("--allow-dir").hasMessageContaining("missing");
    }

    @Test
    void theLogFormatIsCheckedAndPassedToServe() throws Exception {
        assertThat(DaemonStartOptions.from(parse("start", "--log-format", "JSON")).serveArgs())
                .containsExactly("serve", "--host", "127.0.0.1", "--port", "18888", "--log-format", "json");
        assertThatThrownBy(() -> DaemonStartOptions.from(parse("start", "--log-format", "xml")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("--log-format must be text or json");
    }

    @Test
    void defaults() throws Exception {
        assertThat(DaemonStartOptions.from(parse("start")).serveArgs())
                .containsExactly("serve", "--host", "127.0.0.1", "--port", "18888");
    }
}
