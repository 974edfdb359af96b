package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's {@code --netns PID CGROUP} (the docker backend's wiring of a container's namespace) never wires
 * the wrong namespace: a process outside the sandbox's cgroup, or one in the host's own network namespace, is
 * refused before anything is created, as are other options or a program with it; and the docker backend's way to
 * find the container's first process (pid 1 of its own pid namespace). (That a container's namespace is wired is
 * checked by {@code DockerContractIT} and the server's docker tests.)
 */
class LauncherNetnsIT {

    @TempDir
    static Path dir;
    static Path launcher;

    @BeforeAll
    static void extract() {
        Sandboxes.assumeSandboxHost();
        launcher = LauncherBinary.extractTo(dir.resolve("bin"));
    }

    private record Result(int exit, String err) {
    }

    private static Result launch(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(launcher.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), err);
    }

    /** This JVM's cgroup in the first hierarchy /proc/self/cgroup lists. */
    private static String ownCgroup() throws Exception {
        String line = Files.readAllLines(Path.of("/proc/self/cgroup")).getFirst();
        return line.substring(line.indexOf(':', line.indexOf(':') + 1) + 1);
    }

    @Test
    void aProcessOutsideTheCgroupOrInTheHostsNamespaceIsNeverWired() throws Exception {
        String self = Long.toString(ProcessHandle.current().pid());
        String[] veth = {"--veth", "1", "100.64.0.0/10", "100.64.0.1"};
        Result outside = launch(concat(new String[]{"--netns", self, "/agentkernel/no-such-sandbox"}, veth));
        assertThat(outside.exit()).as(outside.err()).isEqualTo(125);
        assertThat(outside.err()).contains("is not in the cgroup /agentkernel/no-such-sandbox");
        Result host = launch(concat(new String[]{"--netns", self, ownCgroup()}, veth));
        assertThat(host.exit()).as(host.err()).isEqualTo(125);
        assertThat(host.err()).contains("in the host's network namespace");
        Result gone = launch(concat(new String[]{"--netns", "4194000", "/"}, veth));
        assertThat(gone.exit()).as(gone.err()).isEqualTo(125);
        assertThat(gone.err()).contains("pidfd");
    }

    @Test
    void itWiresOnlyNothingElseIsAskedAndNoProgramFollows() throws Exception {
        String self = Long.toString(ProcessHandle.current().pid());
        Result program = launch("--netns", self, "/", "--veth", "1", "100.64.0.0/10", "100.64.0.1", "--", "/bin/true");
        assertThat(program.exit()).isEqualTo(125);
        assertThat(program.err()).contains("usage");
        Result noVeth = launch("--netns", self, "/");
        assertThat(noVeth.exit()).isEqualTo(125);
        assertThat(noVeth.err()).contains("usage");
        Result relative = launch("--netns", self, "agentkernel", "--veth", "1", "100.64.0.0/10", "100.64.0.1");
        assertThat(relative.exit()).isEqualTo(125);
        assertThat(relative.err()).contains("usage");
    }

    /** How DockerBackend finds the container's first process in the sandbox's cgroup: pid 1 of a pid namespace of its own. */
    @Test
    void theFirstProcessOfAPidNamespaceIsRecognisedAndNoOtherIs() throws Exception {
        assertThat(DockerBackend.isNamespaceInit(ProcessHandle.current().pid())).isFalse();
        Process outer = new ProcessBuilder("unshare", "--pid", "--fork", "sleep", "30").start();
        try {
            long deadline = System.nanoTime() + 5_000_000_000L;
            java.util.Optional<ProcessHandle> init = java.util.Optional.empty();
            while (init.isEmpty() && System.nanoTime() < deadline) {
                init = outer.toHandle().children().findFirst();
                Thread.sleep(10);
            }
            assertThat(init).as("unshare's child").isPresent();
            assertThat(DockerBackend.isNamespaceInit(init.get().pid())).as("pid 1 of the new namespace").isTrue();
            assertThat(DockerBackend.isNamespaceInit(outer.pid())).as("unshare itself, in the host's").isFalse();
            assertThat(DockerBackend.isNamespaceInit(4_194_000)).as("no such process").isFalse();
        } finally {
            outer.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            outer.destroyForcibly();
            outer.waitFor();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
