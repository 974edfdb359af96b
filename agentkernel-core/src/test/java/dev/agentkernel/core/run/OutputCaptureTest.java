package dev.agentkernel.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.model.OutputStreamKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputCaptureTest {

    private static final Optional<OutputStreamKind> ALL = Optional.empty();
    private static final Optional<OutputStreamKind> OUT = Optional.of(OutputStreamKind.STDOUT);
    private static final Optional<OutputStreamKind> ERR = Optional.of(OutputStreamKind.STDERR);

    @TempDir
    Path dir;

    private static void write(OutputCapture capture, OutputStreamKind kind, String text) {
        byte[] b = ("#" + text + "#").getBytes(StandardCharsets.UTF_8);
        capture.output(kind, b, 1, b.length - 2);
    }

    @Test
    void keepsInterleavedOutputOnceAndSplitsItByStream() {
        OutputCapture capture = OutputCapture.inMemory(1024);
        write(capture, OutputStreamKind.STDOUT, "a1 ");
        write(capture, OutputStreamKind.STDOUT, "a2 ");
        write(capture, OutputStreamKind.STDERR, "e1 ");
        write(capture, OutputStreamKind.STDOUT, "a3");
        assertThat(capture.text(ALL)).isEqualTo("a1 a2 e1 a3");
        assertThat(capture.text(OUT)).isEqualTo("a1 a2 a3");
        assertThat(capture.text(ERR)).isEqualTo("e1 ");
        assertThat(capture.truncated()).isFalse();
        assertThat(capture.size()).isEqualTo(11);
    }

    @Test
    void discardsWhatComesBeyondTheLimitAndSaysSo() {
        OutputCapture capture = OutputCapture.inMemory(5);
        write(capture, OutputStreamKind.STDERR, "abc");
        write(capture, OutputStreamKind.STDOUT, "defgh");
        write(capture, OutputStreamKind.STDOUT, "ijk");
        assertThat(capture.text(ALL)).isEqualTo("abcde");
        assertThat(capture.text(OUT)).isEqualTo("de");
        assertThat(capture.text(ERR)).isEqualTo("abc");
        assertThat(capture.truncated()).isTrue();
        assertThat(capture.discarded()).isEqualTo(6);
    }

    @Test
    void aFloodCostsNoMoreThanTheLimit() {
        OutputCapture capture = OutputCapture.inMemory(1 << 20);
        byte[] chunk = new byte[64 * 1024];
        long before = usedHeap();
        for (int i = 0; i < 16 * 1024; i++) { // 1 GiB
            capture.output(i % 7 == 0 ? OutputStreamKind.STDERR : OutputStreamKind.STDOUT, chunk, 0, chunk.length);
        }
        assertThat(capture.size()).isEqualTo(1 << 20);
        assertThat(capture.discarded()).isEqualTo((1L << 30) - (1 << 20));
        assertThat(usedHeap() - before).isLessThan(64L << 20);
    }

    private static long usedHeap() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    void spillsBeyondWhatItKeepsInMemoryAndDeletesTheFileWhenClosed() throws Exception {
        OutputCapture capture = OutputCapture.spilling(300_000, 100_000, dir.resolve("spool"));
        StringBuilder all = new StringBuilder();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            String line = "line " + i + "\n";
            OutputStreamKind kind = i % 3 == 0 ? OutputStreamKind.STDERR : OutputStreamKind.STDOUT;
            if (all.length() + line.length() <= 300_000) {
                all.append(line);
                if (kind == OutputStreamKind.STDOUT) {
                    out.append(line);
                }
            } else if (all.length() < 300_000) {
                String part = line.substring(0, 300_000 - all.length());
                all.append(part);
                if (kind == OutputStreamKind.STDOUT) {
                    out.append(part);
                }
            }
            write(capture, kind, line);
        }
        assertThat(capture.text(ALL)).isEqualTo(all.toString());
        assertThat(capture.text(OUT)).isEqualTo(out.toString());
        try (var files = Files.list(dir.resolve("spool"))) {
            assertThat(files.toList()).hasSize(1);
        }
        capture.close();
        try (var files = Files.list(dir.resolve("spool"))) {
            assertThat(files.toList()).isEmpty();
        }
        write(capture, OutputStreamKind.STDOUT, "after close");
        assertThat(capture.truncated()).isTrue();
    }

    @Test
    void utf8SplitAcrossChunksOfOneStreamDecodesWhole() {
        OutputCapture capture = OutputCapture.inMemory(100);
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        capture.output(OutputStreamKind.STDOUT, euro, 0, 1);
        write(capture, OutputStreamKind.STDERR, "x");
        capture.output(OutputStreamKind.STDOUT, euro, 1, 2);
        assertThat(capture.text(OUT)).isEqualTo("€");
        assertThat(capture.text(ERR)).isEqualTo("x");
    }
}
