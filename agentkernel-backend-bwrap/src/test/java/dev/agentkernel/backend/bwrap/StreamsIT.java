package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.backend.bwrap.Sandboxes.Result;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Standard streams, exit codes and arguments reach both sides unchanged. */
class StreamsIT extends SandboxTestBase {

    @Test
    void hundredMegabytesOfStdoutWhileWritingStderrDoNotDeadlock() {
        long outBytes = 100_000_000L;
        long errBytes = 5_000_000L;
        AtomicLong out = new AtomicLong();
        AtomicLong err = new AtomicLong();
        AtomicLong badOut = new AtomicLong();
        AtomicLong badErr = new AtomicLong();
        Stdio.OutputSink sink = (stream, bytes, offset, length) -> {
            boolean isOut = stream == OutputStreamKind.STDOUT;
            (isOut ? out : err).addAndGet(length);
            byte expected = isOut ? 0 : (byte) 'E';
            for (int i = offset; i < offset + length; i++) {
                if (bytes[i] != expected) {
                    (isOut ? badOut : badErr).incrementAndGet();
                }
            }
        };
        CommandSpec cmd = Sandboxes.command(List.of("sh", "-c",
                "head -c " + outBytes + " /dev/zero & head -c " + errBytes + " /dev/zero | tr '\\0' E >&2; wait"),
                Map.of(), Duration.ofSeconds(50));
        long started = System.nanoTime();
        try (Execution execution = sandboxes.backend.start(sandboxes.offline(Profile.MODERATE), cmd, Stdio.capture(sink))) {
            Termination end = Sandboxes.awaitOrFail(execution);
            assertThat(end).isEqualTo(new Termination.Exited(0));
        }
        assertThat(out).as("stdout bytes").hasValue(outBytes);
        assertThat(err).as("stderr bytes").hasValue(errBytes);
        assertThat(badOut).as("stdout bytes that were not NUL (stderr mixed in?)").hasValue(0);
        assertThat(badErr).as("stderr bytes that were not 'E' (stdout mixed in?)").hasValue(0);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void stdoutAndStderrAreKeptApart() {
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "sh", "-c",
                "echo out1; echo err1 >&2; echo out2; echo err2 >&2; printf tail");
        assertThat(r.out()).isEqualTo("out1\nout2\ntail");
        assertThat(r.err()).isEqualTo("err1\nerr2\n");
    }

    @Test
    void binaryBytesPassUnchangedBothWays() {
        byte[] all = new byte[256 * 64];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        Result echoed = sandboxes.run(sandboxes.offline(Profile.MODERATE), CommandSpec.of("cat"), all);
        assertThat(echoed.stdout()).as("stdin -> cat -> stdout").isEqualTo(all);

        Result written = sandboxes.run(sandboxes.offline(Profile.MODERATE), "python3", "-c",
                "import sys; b = bytes(range(256)) * 64; sys.stdout.buffer.write(b); sys.stderr.buffer.write(b[::-1])");
        assertThat(written.stdout()).as("stdout").isEqualTo(all);
        byte[] reversed = new byte[all.length];
        for (int i = 0; i < all.length; i++) {
            reversed[i] = all[all.length - 1 - i];
        }
        assertThat(written.stderr()).as("stderr").isEqualTo(reversed);
    }

    @Test
    void stdinIsForwardedExactly() throws Exception {
        byte[] input = new byte[1024 * 1024];
        new Random(42).nextBytes(input);
        Result count = sandboxes.run(sandboxes.offline(Profile.MODERATE), CommandSpec.of("wc", "-c"), input);
        assertThat(count.out().strip()).as(count.describe()).isEqualTo(Integer.toString(input.length));

        Result hash = sandboxes.run(sandboxes.offline(Profile.MODERATE), CommandSpec.of("sha256sum"), input);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input));
        assertThat(hash.out()).as(hash.describe()).startsWith(expected + " ");
    }

    @Test
    void noStdinMeansImmediateEndOfFile() {
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "wc", "-c");
        assertThat(r.out().strip()).isEqualTo("0");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 42, 255})
    void exitCodesComeBack(int code) {
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "sh", "-c", "exit " + code);
        assertThat(r.termination()).as(r.describe()).isEqualTo(new Termination.Exited(code));
        assertThat(r.exitCode()).isEqualTo(code);
    }

    @Test
    void commandKilledByItsOwnSignalGivesTheShellExitCode() {
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "sh", "-c", "kill -KILL $$");
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(128 + 9);
        assertThat(r.termination()).as("not mistaken for the memory limit").isNotInstanceOf(Termination.OutOfMemory.class);
    }

    @Test
    void commandWorkdirIsUsed() {
        CommandSpec cmd = new CommandSpec(List.of("pwd"), Map.of(), java.util.Optional.of("/tmp/sub dir"),
                java.util.Optional.empty());
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), cmd);
        assertThat(r.out()).as(r.describe()).isEqualTo("/tmp/sub dir\n");
    }

    @Test
    void argumentsReachTheProgramUnchanged() {
        List<String> args = List.of("with space", "  leading and trailing  ", "\"double\" 'single' quotes",
                "$HOME", "${PATH}", "`id`", "$(id)", "line1\nline2\n", "", "é", "✓", "日本", "tab\there",
                "back\\slash", "*", "?", "~", "-c", "--", ";|&<>", "naïve ✓ 日本 mixed");
        List<String> argv = new ArrayList<>(List.of("python3", "-c",
                "import sys\nfor a in sys.argv[1:]:\n    print('ARG:' + a.encode('utf-8', 'surrogateescape').hex())"));
        argv.addAll(args);
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), CommandSpec.of(argv.toArray(String[]::new)));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        List<String> received = r.out().lines().filter(l -> l.startsWith("ARG:"))
                .map(l -> new String(HexFormat.of().parseHex(l.substring(4)), StandardCharsets.UTF_8)).toList();
        assertThat(received).isEqualTo(args);
    }

    @Test
    void concurrentSandboxesStayApart() throws Exception {
        int n = 4;
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<Result>> futures = new ArrayList<>();
            List<SandboxSpec> specs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // half with network (slirp4netns), half without
                SandboxSpec spec = i % 2 == 0 ? sandboxes.spec(Profile.MODERATE) : sandboxes.offline(Profile.MODERATE);
                specs.add(spec);
                String token = "token-" + i;
                Callable<Result> task = () -> sandboxes.run(spec, "sh", "-c",
                        "echo " + token + " > /tmp/mine; sleep 0.3; cat /tmp/mine; hostname; ls /tmp");
                futures.add(pool.submit(task));
            }
            for (int i = 0; i < n; i++) {
                Result r = futures.get(i).get();
                assertThat(r.termination()).as(r.describe()).isEqualTo(new Termination.Exited(0));
                assertThat(r.out().lines().toList()).as(r.describe())
                        .containsExactly("token-" + i, specs.get(i).hostname(), "mine");
            }
        }
    }
}
