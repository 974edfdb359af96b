package dev.agentkernel.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent as the command of a bubblewrap sandbox (all namespaces unshared, host /usr
 * read-only, its own /tmp), as a backend would run it: paths resolve inside the sandbox.
 */
class BwrapAgentIT extends AgentTestBase {

    @BeforeAll
    static void requireBubblewrap() throws Exception {
        assumeTrue(bubblewrapWorks(), "bubblewrap cannot create sandboxes on this host");
    }

    /** Whether bubblewrap can create a sandbox like {@link #sandboxCommand}'s here. */
    static boolean bubblewrapWorks() throws InterruptedException {
        boolean works;
        try {
            Process p = new ProcessBuilder("bwrap", "--unshare-all", "--ro-bind", "/usr", "/usr",
                    "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                    "--proc", "/proc", "--dev", "/dev", "--", "/usr/bin/true").redirectErrorStream(true).start();
            works = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            works = false;
        }
        return works;
    }

    @Override
    List<String> command(Path binary) {
        return sandboxCommand(binary);
    }

    /** Runs {@code binary} as the command of a sandbox: all namespaces unshared, host /usr read-only, its own /tmp. */
    static List<String> sandboxCommand(Path binary) {
        List<String> argv = new ArrayList<>(List.of("bwrap", "--unshare-all", "--die-with-parent",
                "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                "--ro-bind", binary.getParent().toString(), "/.ak", "--"));
        argv.add("/.ak/" + binary.getFileName());
        return argv;
    }

    @Override
    String scratch() {
        return "/tmp";
    }

    @Test
    void dotDotAndSymlinksCannotReachHostFiles() throws Exception {
        assertThat(Path.of("/etc/hostname")).as("the host file the sandbox must not see").exists();
        byte[] hostHostname = Files.readAllBytes(Path.of("/etc/hostname"));
        for (String path : List.of("/tmp/../../etc/shadow", "../../../../../etc/shadow", "/../../../etc/hostname",
                "/tmp/../etc/hostname")) {
            assertThatThrownBy(() -> agent.readFile(path)).as(path).isInstanceOf(NotFoundException.class)
                    .hasMessage("no such file: " + path);
        }
        assertThat(sh("ln -s /etc/hostname /tmp/abs && ln -s ../../../../../../etc/hostname /tmp/rel").status())
                .isEqualTo(new ExitStatus.Exited(0));
        for (String link : List.of("/tmp/abs", "/tmp/rel")) {
            assertThatThrownBy(() -> agent.readFile(link)).as(link).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> agent.stat(link)).as(link).isInstanceOf(NotFoundException.class);
        }
        assertThatThrownBy(() -> agent.writeFile("/tmp/../etc/hostname", "owned".getBytes(StandardCharsets.UTF_8), 0644))
                .isInstanceOf(AgentKernelException.class);
        assertThatThrownBy(() -> agent.writeFile("/tmp/abs", "owned".getBytes(StandardCharsets.UTF_8), 0644))
                .isInstanceOf(AgentKernelException.class);
        assertThat(Files.readAllBytes(Path.of("/etc/hostname"))).isEqualTo(hostHostname);
    }

    @Test
    void theAgentsCommandsSeeOnlyTheSandbox() throws Exception {
        Result r = sh("ls -A /");
        assertThat(r.out().lines().toList()).containsExactlyInAnyOrder(".ak", "bin", "dev", "lib", "lib64", "proc", "tmp", "usr");
        assertThat(agent.stat("/.ak").type()).isEqualTo(FileStat.Type.DIRECTORY);
    }
}
