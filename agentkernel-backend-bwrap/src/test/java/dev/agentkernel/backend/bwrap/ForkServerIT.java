package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.process.ForkServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's fork server ({@code ak-launch --serve}, {@link ForkServer}), through which the bwrap and OCI backends
 * start every launcher: a launch runs with its own arguments, environment, directory and streams, ends with its own
 * status, is signalled through its pidfd, is a child of the server and not of this JVM, and dies with the server,
 * after which the next start gets a new server. Many starts at once each get their own answer.
 */
class ForkServerIT {

    @TempDir
    static Path dir;
    static Path launcher;
    static ForkServer.Lease server;

    @BeforeAll
    static void extract() {
        Sandboxes.assumeSandboxHost();
        launcher = LauncherBinary.extractTo(dir.resolve("bin"));
        server = ForkServer.lease(launcher);
    }

    @AfterAll
    static void release() {
        if (server != null) {
            server.close();
        }
    }

    private static ProcessBuilder launch(String... command) {
        List<String> argv = new ArrayList<>(List.of(launcher.toString(), "--"));
        argv.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null")
                .toFile())).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().clear();
        return builder;
    }

    private static int exit(Process p) throws Exception {
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("ended").isTrue();
        return p.exitValue();
    }

    @Test
    void aLaunchRunsWithItsArgumentsEnvironmentDirectoryAndStreamsAndEndsWithItsStatus() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Path in = Files.writeString(dir.resolve("in.txt"), "from stdin\n");
        ProcessBuilder builder = launch("/bin/sh", "-c", "echo \"$FOO\"; pwd; read line; echo \"$line\"; echo oops >&2; exit 7")
                .directory(work.toFile()).redirectInput(in.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().put("FOO", "bar baz");
        Process p = server.start(builder);
        assertThat(exit(p)).isEqualTo(7);
        assertThat(Files.readString(out)).isEqualTo("bar baz\n" + work.toRealPath() + "\nfrom stdin\n");
        assertThat(Files.readString(err)).isEqualTo("oops\n");
    }

    @Test
    void aLaunchIsTheServersChildAndIsSignalledThroughItsPidfd() throws Exception {
        Process p = server.start(launch("/bin/sleep", "60"));
        long owner = ProcessHandle.of(p.pid()).orElseThrow().parent().orElseThrow().pid();
        assertThat(owner).as("not this JVM's child").isNotEqualTo(ProcessHandle.current().pid());
        assertThat(ProcessHandle.of(owner).orElseThrow().parent().orElseThrow().pid())
                .as("the server is this JVM's child").isEqualTo(ProcessHandle.current().pid());
        assertThat(p.isAlive()).isTrue();
        p.destroyForcibly();
        assertThat(exit(p)).as("128 + SIGKILL").isEqualTo(137);
        assertThat(p.onExit()).isCompleted();
    }

    @Test
    void aLaunchTheLauncherRefusesEndsWith125AndItsMessage() throws Exception {
        Path err = dir.resolve("refused.txt");
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "--no-such-option", "--", "/bin/true")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        assertThat(exit(server.start(builder))).isEqualTo(125);
        assertThat(Files.readString(err)).startsWith("ak-launch: usage:");
    }

    @Test
    void whenTheServerDiesItsLaunchesDieWithItAndTheNextStartGetsANewServer() throws Exception {
        Process p = server.start(launch("/bin/sleep", "60"));
        ProcessHandle owner = ProcessHandle.of(p.pid()).orElseThrow().parent().orElseThrow();
        assertThat(owner.destroyForcibly()).isTrue();
        assertThat(exit(p)).as("killed with the server").isEqualTo(137);
        assertThat(state(p.pid())).as("reported once gone (a zombie for the host's init to reap, or reaped)")
                .isIn("Z", "gone");

        Process next = server.start(launch("/bin/sh", "-c", "exit 3"));
        assertThat(exit(next)).isEqualTo(3);
    }

    /** The state letter of {@code /proc/PID/stat}, or "gone". */
    private static String state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (java.io.IOException e) {
            return "gone";
        }
    }

    @Test
    void manyStartsAtOnceEachGetTheirOwnAnswer() throws Exception {
        int count = 64;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> codes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int code = i;
                Callable<Integer> start = () -> exit(server.start(launch("/bin/sh", "-c", "exit " + code)));
                codes.add(threads.submit(start));
            }
            for (int i = 0; i < count; i++) {
                assertThat(codes.get(i).get(30, TimeUnit.SECONDS)).as("start " + i).isEqualTo(i);
            }
        }
    }

    @Test
    void aLaunchsPipesToThisProcessCarryItsStandardStreams() throws Exception {
        ProcessBuilder builder = launch("/bin/sh", "-c", "while read line; do echo \"out $line\"; echo \"err $line\" >&2; "
                + "done; exit 4").redirectInput(ProcessBuilder.Redirect.PIPE).redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.PIPE);
        Process p = server.start(builder);
        assertThat(ProcessHandle.of(p.pid()).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                .as("the server's child, not this JVM's").isNotEqualTo(java.util.Optional.of(ProcessHandle.current().pid()));
        java.util.concurrent.CompletableFuture<String> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, Executors.newVirtualThreadPerTaskExecutor());
        try (var in = p.getOutputStream()) {
            in.write("a\nb\n".getBytes());
        }
        assertThat(new String(p.getInputStream().readAllBytes())).isEqualTo("out a\nout b\n");
        assertThat(err.get(10, TimeUnit.SECONDS)).isEqualTo("err a\nerr b\n");
        assertThat(exit(p)).isEqualTo(4);
    }

    @Test
    void theServerOfAClosedLeaseEndsOnceTheLaunchesItStartedHaveEndedOnTheirOwn() throws Exception {
        Path other = LauncherBinary.extractTo(dir.resolve("other"));
        ForkServer.Lease lease = ForkServer.lease(other);
        Path done = dir.resolve("done");
        Process p = lease.start(new ProcessBuilder(other.toString(), "--", "/bin/sh", "-c", "sleep 0.5; touch " + done)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT));
        ProcessHandle owner = ProcessHandle.of(p.pid()).orElseThrow().parent().orElseThrow();
        lease.close();
        assertThat(owner.isAlive()).as("the server waits for its launch").isTrue();
        assertThat(exit(p)).as("the launch ran to its end").isZero();
        assertThat(done).exists();
        assertThat(owner.onExit().get(10, TimeUnit.SECONDS).isAlive()).as("then the server ended").isFalse();
        assertThatThrownBy(() -> lease.start(new ProcessBuilder(other.toString(), "--", "/bin/true")))
                .isInstanceOf(IllegalStateException.class);
    }
}
