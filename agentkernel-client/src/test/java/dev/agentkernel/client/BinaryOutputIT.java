package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Output that is not UTF-8 comes back byte for byte ({@code output_encoding: base64} on the wire),
 * through {@code run}, {@code batchRun} and a sandbox's exec, against the real daemon.
 */
class BinaryOutputIT extends DaemonTestBase {

    /** NUL, 0xff and a lone continuation byte: none of them survives a UTF-8 decode. */
    private static final List<String> BINARY = List.of("sh", "-c", "printf '\\000\\377\\200abc'; printf '\\376\\n' >&2");
    private static final byte[] STDOUT = {0x00, (byte) 0xff, (byte) 0x80, 'a', 'b', 'c'};
    private static final byte[] STDERR = {(byte) 0xfe, '\n'};

    @Test
    void runGivesTheExactBytesAndTheTextBesideThem() {
        RunResult r = client.run(BINARY, RunOptions.defaults());
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdoutBytes()).isEqualTo(STDOUT);
        assertThat(r.stderrBytes()).isEqualTo(STDERR);
        assertThat(r.outputBytes()).hasSize(STDOUT.length + STDERR.length);
        assertThat(r.stdout()).as("the text replaces what is not UTF-8").isEqualTo("\u0000\ufffd\ufffdabc");
        assertThat(r.sandbox()).isPresent();
    }

    @Test
    void randomBytesWrittenToAFileComeBackAsTheFileHoldsThem() {
        int size = 4096 + ThreadLocalRandom.current().nextInt(4096);
        RunResult r = client.run(List.of("sh", "-c", "head -c " + size + " /dev/urandom | tee /tmp/x >/dev/null; "
                + "cat /tmp/x; echo; sha256sum /tmp/x >&2"), RunOptions.defaults());
        byte[] out = r.stdoutBytes();
        assertThat(out).as("%s", r).hasSize(size + 1);
        assertThat(sha256(java.util.Arrays.copyOf(out, size))).isEqualTo(r.stderr().split(" ")[0]);
    }

    @Test
    void batchEntriesCarryTheirBytes() {
        List<BatchResult> results = client.batchRun(List.of(BatchCommand.of(BINARY, RunOptions.defaults()), BatchCommand.of("printf", "ok")));
        assertThat(results.get(0)).isInstanceOfSatisfying(BatchResult.Completed.class,
                c -> assertThat(c.result().stdoutBytes()).isEqualTo(STDOUT));
        assertThat(results.get(1)).isInstanceOfSatisfying(BatchResult.Completed.class,
                c -> assertThat(c.result().stdout()).isEqualTo("ok"));
    }

    @Test
    void aSandboxExecGivesTheExactBytesOfAFile() {
        try (SandboxSession sb = client.sandbox(uniqueName("bytes"))) {
            RunResult made = sb.run("sh", "-c", "head -c 256 /dev/urandom > /workspace/x; cat /workspace/x");
            byte[] file = sb.readFileBytes("/workspace/x");
            assertThat(file).hasSize(256);
            assertThat(made.stdoutBytes()).as("%s", made).isEqualTo(file);
            RunResult binary = sb.run(BINARY);
            assertThat(binary.stdoutBytes()).isEqualTo(STDOUT);
            assertThat(binary.stderrBytes()).isEqualTo(STDERR);
            assertThat(binary.sandbox()).as("an exec names no temporary sandbox").isEmpty();
        }
    }

    @Test
    void textStaysText() {
        RunResult r = client.run("printf", "h\u00e9llo \u2603");
        assertThat(r.stdout()).isEqualTo("h\u00e9llo \u2603");
        assertThat(r.stdoutBytes()).isEqualTo("h\u00e9llo \u2603".getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
