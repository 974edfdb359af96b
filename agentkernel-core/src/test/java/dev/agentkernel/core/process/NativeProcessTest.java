package dev.agentkernel.core.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The posix_spawn child behind {@link Spawner}: what {@code ProcessBuilder.start} would do, checked against the real kernel. */
class NativeProcessTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void glibcHasEveryCall() {
        assertThat(PosixSpawn.available()).as("glibc >= 2.34 on Linux: the machines this runs on").isTrue();
    }

    /** {@code argv} with no pipe: standard input from /dev/null, output and errors to {@code out}. */
    private static ProcessBuilder quiet(Path out, String... argv) {
        return new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectErrorStream(true);
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void exitCodesAndSignalsAreReportedAsTheJdkReportsThem() throws Exception {
        Process exits = NativeProcess.start(quiet(tmp.resolve("a"), "sh", "-c", "exit 42"));
        Process killed = NativeProcess.start(quiet(tmp.resolve("b"), "sh", "-c", "kill -9 $$"));

        assertThat(exits.waitFor()).isEqualTo(42);
        assertThat(killed.waitFor()).isEqualTo(128 + 9);
        assertThat(exits.isAlive()).isFalse();
        assertThat(exits.onExit().get(5, TimeUnit.SECONDS)).isSameAs(exits);
    }

    @Test
    void aPipeIsRefusedAndSpawnerStartsThoseWithTheJdk() throws Exception {
        assertThatThrownBy(() -> NativeProcess.start(new ProcessBuilder("true")))
                .isInstanceOf(IllegalArgumentException.class);

        Process piped = Spawner.start(new ProcessBuilder("echo", "through a pipe"));
        Process discarded = Spawner.start(new ProcessBuilder("true").redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD));

        assertThat(read(piped.getInputStream())).isEqualTo("through a pipe\n");
        assertThat(piped).isNotInstanceOf(NativeProcess.class);
        assertThat(discarded).isInstanceOf(NativeProcess.class);
        assertThat(discarded.waitFor()).isZero();
    }

    @Test
    void redirectsToAndFromFilesAndTheMergedErrorStream() throws Exception {
        Path input = Files.writeString(tmp.resolve("in"), "from a file\n");
        Path output = Files.writeString(tmp.resolve("out"), "old contents that must go\n");
        Path appended = Files.writeString(tmp.resolve("log"), "first\n");

        Process p = NativeProcess.start(new ProcessBuilder("sh", "-c", "cat; echo to-stderr >&2")
                .redirectInput(input.toFile()).redirectOutput(output.toFile()).redirectErrorStream(true));
        Process q = NativeProcess.start(new ProcessBuilder("echo", "second").redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(appended.toFile()))
                .redirectError(ProcessBuilder.Redirect.DISCARD));

        assertThat(p.waitFor()).isZero();
        assertThat(q.waitFor()).isZero();
        assertThat(Files.readString(output)).isEqualTo("from a file\nto-stderr\n");
        assertThat(Files.readString(appended)).isEqualTo("first\nsecond\n");
        assertThat(read(p.getInputStream())).as("a redirected stream reads as empty").isEmpty();
        assertThat(read(p.getErrorStream())).isEmpty();
    }

    @Test
    void theChildGetsExactlyTheEnvironmentAndDirectoryAndNoOtherDescriptor() throws Exception {
        Path out = tmp.resolve("out");
        ProcessBuilder builder = quiet(out, "sh", "-c", "pwd; env | sort; ls /proc/self/fd | sort -n | tr '\\n' ' '")
                .directory(tmp.toFile());
        builder.environment().clear();
        builder.environment().putAll(Map.of("PATH", "/usr/bin:/bin", "ONLY", "this"));

        Process p = NativeProcess.start(builder);

        assertThat(p.waitFor()).isZero();
        assertThat(Files.readString(out).lines().toList()).containsExactly(tmp.toRealPath().toString(), "ONLY=this", "PATH=/usr/bin:/bin",
                "PWD=" + tmp.toRealPath(), "0 1 2 3 ");
    }

    @Test
    void destroySendsSigtermAndDestroyForciblySigkill() throws Exception {
        Process polite = NativeProcess.start(quiet(tmp.resolve("p"), "sleep", "60"));
        Path ready = tmp.resolve("ready");
        Process stubborn = NativeProcess.start(quiet(tmp.resolve("s"), "sh", "-c", "trap '' TERM; touch " + ready
                + "; sleep 60"));
        while (!Files.exists(ready)) {
            Thread.sleep(10);
        }

        polite.destroy();
        stubborn.destroy();

        assertThat(polite.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(polite.exitValue()).isEqualTo(128 + 15);
        assertThat(stubborn.waitFor(300, TimeUnit.MILLISECONDS)).as("SIGTERM is ignored").isFalse();
        assertThatThrownBy(stubborn::exitValue).isInstanceOf(IllegalThreadStateException.class);
        stubborn.destroyForcibly();
        assertThat(stubborn.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(stubborn.exitValue()).isEqualTo(128 + 9);
        stubborn.destroyForcibly(); // after the reap: nothing to signal, no error
        assertThat(stubborn.pid()).isPositive();
    }

    @Test
    void aMissingProgramOrDirectoryIsWordedAsTheJdkWordsIt() {
        assertThatThrownBy(() -> NativeProcess.start(quiet(tmp.resolve("o"), "/nonexistent/program", "x")))
                .isInstanceOf(IOException.class)
                .hasMessage("Cannot run program \"/nonexistent/program\": error=2, No such file or directory");
        assertThatThrownBy(() -> NativeProcess.start(quiet(tmp.resolve("o"), "true").directory(tmp.resolve("gone").toFile())))
                .isInstanceOf(IOException.class)
                .hasMessage("Cannot run program \"true\" (in directory \"" + tmp.resolve("gone")
                        + "\"): error=2, No such file or directory");
    }

    @Test
    void aProgramWithoutASlashIsLookedUpInThePath() throws Exception {
        Process p = NativeProcess.start(quiet(tmp.resolve("found"), "echo", "found"));

        assertThat(p.waitFor()).isZero();
        assertThat(Files.readString(tmp.resolve("found"))).isEqualTo("found\n");
    }
}
