package dev.agentkernel.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's {@code /proc} masks ({@code --proc-ro}, {@code --proc-null}, {@code --proc-empty}): a name
 * that is not one plain component of {@code /proc} is refused before anything is mounted, and a mask that
 * cannot be made (here: no capability to mount) ends the agent with exit 125 instead of letting it serve
 * unmasked. The masks themselves, made in real sandboxes, are checked by the bwrap backend's ITs.
 */
class AgentProcMasksTest {

    private static Process agent(Path dir, String... options) throws Exception {
        Path binary = AgentBinary.extractTo(dir.resolve("bin"));
        List<String> argv = new ArrayList<>(List.of(binary.toString()));
        argv.addAll(List.of(options));
        argv.addAll(List.of("--exec", "--user", "65534:65534", "--", "/bin/true"));
        return new ProcessBuilder(argv).redirectErrorStream(true).start();
    }

    private static String endsWith125(Process p) throws Exception {
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isEqualTo(125);
        return out;
    }

    @Test
    void aNameThatIsNotOneComponentOfProcIsRefused(@TempDir Path dir) throws Exception {
        for (String name : List.of("..", ".", "sys/kernel", "", "../etc")) {
            assertThat(endsWith125(agent(dir, "--proc-ro", name))).contains("bad /proc name");
        }
    }

    @Test
    void aMaskThatCannotBeMadeStopsTheAgent(@TempDir Path dir) throws Exception {
        // in the host's own mount namespace a non-root test runner may not mount; as root the bind of
        // /proc/acpi onto itself would be made: only check the refusal where mounting is impossible
        if (!"root".equals(System.getProperty("user.name"))) {
            assertThat(endsWith125(agent(dir, "--proc-empty", "acpi"))).contains("mask /proc/acpi");
        }
        assertThat(endsWith125(agent(dir, "--proc-null", "no-such-file-here"))).contains("mask /proc/no-such-file-here");
    }
}
