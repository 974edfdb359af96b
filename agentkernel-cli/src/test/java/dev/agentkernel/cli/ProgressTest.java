package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link Progress} with a fake terminal flag and a fake clock: drawn on a terminal only, erased when done. */
class ProgressTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final StringWriter text = new StringWriter();

    private Progress progress(boolean terminal, int width) {
        return new Progress(new PrintWriter(text), "waiting for task task-1", terminal, now::get, width);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void notOnATerminalNothingIsEverWritten() {
        try (Progress p = progress(false, 80)) {
            advance(Duration.ofSeconds(5));
            p.detail("running");
            p.draw();
            assertThat(p.visible()).isFalse();
        }
        assertThat(text.toString()).isEmpty();
    }

    @Test
    void aQuickWaitShowsNothing() {
        try (Progress p = progress(true, 80)) {
            advance(Progress.DELAY.minusMillis(1));
            p.draw();
        }
        assertThat(text.toString()).isEmpty();
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlaceAndErasedAtTheEnd() {
        try (Progress p = progress(true, 80)) {
            advance(Duration.ofSeconds(1));
            p.draw();
            advance(Duration.ofSeconds(64));
            p.detail("12.0 MB");
            p.draw();
        }
        assertThat(text.toString()).isEqualTo("\r| waiting for task task-1 1s\u001b[K"
                + "\r/ waiting for task task-1 (12.0 MB) 1m 05s\u001b[K"
                + "\r\u001b[K");
    }

    @Test
    void closingTwiceErasesOnceAndNothingIsDrawnAfterwards() {
        Progress p = progress(true, 80);
        advance(Duration.ofSeconds(2));
        p.draw();
        p.close();
        p.close();
        p.draw();
        assertThat(text.toString()).isEqualTo("\r| waiting for task task-1 2s\u001b[K\r\u001b[K");
    }

    @Test
    void aLongLineIsCutToTheTerminalsWidth() {
        try (Progress p = progress(true, 20)) {
            advance(Duration.ofSeconds(3));
            assertThat(p.line()).hasSize(19).startsWith("| waiting for task");
        }
    }

    @Test
    void theTickerRedrawsOnItsOwnUntilClosed() throws Exception {
        StringWriter out = new StringWriter();
        Progress p = Progress.ticking(new PrintWriter(out), "x", true, 80);
        Thread.sleep(Progress.DELAY.plus(Progress.TICK.multipliedBy(5)).toMillis());
        p.close();
        String drawn;
        synchronized (p) {
            drawn = out.toString();
        }
        assertThat(drawn).startsWith("\r| x 0s\u001b[K\r/ x 0s").endsWith("\r\u001b[K");
        Thread.sleep(Progress.TICK.multipliedBy(2).toMillis());
        assertThat(out.toString()).as("nothing after close").isEqualTo(drawn);
    }

    @Test
    void notOnATerminalNoThreadDrawsEither() throws Exception {
        StringWriter out = new StringWriter();
        try (Progress p = Progress.ticking(new PrintWriter(out), "x", false, 80)) {
            Thread.sleep(Progress.DELAY.plus(Progress.TICK.multipliedBy(2)).toMillis());
        }
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void figures() {
        assertThat(Progress.elapsed(Duration.ofMillis(999))).isEqualTo("0s");
        assertThat(Progress.elapsed(Duration.ofSeconds(59))).isEqualTo("59s");
        assertThat(Progress.elapsed(Duration.ofSeconds(3725))).isEqualTo("1h 02m");
        assertThat(Progress.bytes(512)).isEqualTo("512 B");
        assertThat(Progress.bytes(1536)).isEqualTo("1.5 KB");
        assertThat(Progress.bytes(5L << 30)).isEqualTo("5.0 GB");
        assertThat(Progress.columns(null)).isEqualTo(80);
        assertThat(Progress.columns("120")).isEqualTo(120);
        assertThat(Progress.columns("wide")).isEqualTo(80);
        assertThat(Progress.isTerminalDevice("/dev/pts/3")).isTrue();
        assertThat(Progress.isTerminalDevice("/dev/tty1")).isTrue();
        assertThat(Progress.isTerminalDevice("pipe:[123]")).isFalse();
        assertThat(Progress.isTerminalDevice("/tmp/log")).isFalse();
        assertThat(Progress.isTerminalDevice("/dev/null")).isFalse();
    }

    @Test
    void underMavenStderrIsNoTerminal() {
        // what every command sees when its stderr goes to a pipe or a file, as in Surefire's forked JVM
        assertThat(Progress.onTerminal()).isFalse();
        StringWriter out = new StringWriter();
        try (Progress p = Progress.show(new PrintWriter(out), "y")) {
            assertThat(p.visible()).isFalse();
        }
        assertThat(out.toString()).isEmpty();
    }
}
