package dev.agentkernel.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What a command is waiting for, shown on a terminal: one line on stderr with a spinner, what is
 * awaited, a detail (bytes copied, a task's state) and the time elapsed, redrawn in place a few
 * times a second and erased when the wait ends, so the command's own output follows on a clean
 * line. It appears only after {@link #DELAY} (a quick wait shows nothing) and never when stderr is
 * not a terminal ({@link #onTerminal()}): scripts, pipes and logs see exactly the output they saw before.
 *
 * <p>Used by {@code setup}, {@code daemon start}, {@code task wait}, {@code code} and {@code cp}.
 * Close it (try-with-resources) before printing anything else.
 */
final class Progress implements AutoCloseable {

    /** How long a wait lasts before the line appears. */
    static final Duration DELAY = Duration.ofMillis(500);
    /** How often the line is redrawn. */
    static final Duration TICK = Duration.ofMillis(200);
    private static final String FRAMES = "|/-\\";
    /** The end of the line: erases what a longer line left behind. */
    private static final String ERASE = "\u001b[K";

    private final PrintWriter err;
    private final String what;
    private final boolean terminal;
    private final LongSupplier nanos;
    private final long start;
    private final int width;
    private final Thread ticker;
    private String detail = "";
    private int frame;
    private boolean drawn;
    private boolean closed;

    /**
     * A progress line that draws itself when {@code terminal} (call {@link #draw()} to draw it; no thread).
     *
     * @param err      where it is drawn
     * @param what     what is awaited, e.g. {@code waiting for task task-0123}
     * @param terminal whether {@code err} is a terminal; otherwise nothing is ever written
     * @param nanos    the clock ({@link System#nanoTime()})
     * @param width    the terminal's width in columns: longer lines are cut
     */
    Progress(PrintWriter err, String what, boolean terminal, LongSupplier nanos, int width) {
        this(err, what, terminal, nanos, width, false);
    }

    private Progress(PrintWriter err, String what, boolean terminal, LongSupplier nanos, int width, boolean tick) {
        this.err = err;
        this.what = what;
        this.terminal = terminal;
        this.nanos = nanos;
        this.start = nanos.getAsLong();
        this.width = Math.max(20, width);
        this.ticker = terminal && tick ? Thread.ofVirtual().name("ak-progress").start(this::tick) : null;
    }

    /** Shows {@code what} on stderr while it lasts, if stderr is a terminal; else does nothing. */
    static Progress show(PrintWriter err, String what) {
        return ticking(err, what, onTerminal(), columns(System.getenv("COLUMNS")));
    }

    /** A progress line redrawn by a thread of its own every {@link #TICK} while {@code terminal}. */
    static Progress ticking(PrintWriter err, String what, boolean terminal, int width) {
        return new Progress(err, what, terminal, System::nanoTime, width, true);
    }

    /**
     * Whether this process's stderr is a terminal: on Linux, what {@code /proc/self/fd/2} links to
     * (a {@code /dev/pts/N} or {@code /dev/ttyN}); elsewhere, whether the JDK's console is one.
     */
    static boolean onTerminal() {
        try {
            return isTerminalDevice(Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            Console console = System.console();
            return console != null && console.isTerminal();
        }
    }

    /** Whether a device path is a terminal's. */
    static boolean isTerminalDevice(String path) {
        return path.startsWith("/dev/pts/") || path.startsWith("/dev/tty") || path.equals("/dev/console");
    }

    /** The terminal's width from {@code COLUMNS}; 80 when it is not set or not a number. */
    static int columns(String text) {
        try {
            int columns = text == null ? 80 : Integer.parseInt(text.strip());
            return columns > 0 ? columns : 80;
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /** Whether the line is ever shown. */
    boolean visible() {
        return terminal;
    }

    /** Sets the detail shown after {@code what} (e.g. {@code 12.5 MB}); empty for none. */
    synchronized void detail(String text) {
        detail = text == null ? "" : text;
    }

    /** The line as it is drawn now: {@code | waiting for task t (running) 12s}. */
    synchronized String line() {
        String text = FRAMES.charAt(frame % FRAMES.length()) + " " + what + (detail.isEmpty() ? "" : " (" + detail + ")")
                + " " + elapsed(Duration.ofNanos(nanos.getAsLong() - start));
        return text.length() < width ? text : text.substring(0, width - 1);
    }

    /** Draws the line over the previous one, once {@link #DELAY} has passed; nothing when not on a terminal. */
    synchronized void draw() {
        if (!terminal || closed || nanos.getAsLong() - start < DELAY.toNanos()) {
            return;
        }
        err.print("\r" + line() + ERASE);
        err.flush();
        frame++;
        drawn = true;
    }

    /** Erases the line (if it was drawn) and stops redrawing it. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (drawn) {
                err.print("\r" + ERASE);
                err.flush();
            }
        }
        if (ticker != null) {
            ticker.interrupt();
        }
    }

    private void tick() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(TICK);
                draw();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closed: the ticker ends
        }
    }

    /** {@code 0s}, {@code 59s}, {@code 1m 05s}, {@code 1h 02m}. */
    static String elapsed(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm %02ds", s / 60, s % 60);
        }
        return String.format("%dh %02dm", s / 3600, (s % 3600) / 60);
    }

    /** Bytes for people: {@code 512 B}, {@code 1.5 KB}, {@code 12.3 MB}, {@code 2.0 GB} (units of 1024). */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
