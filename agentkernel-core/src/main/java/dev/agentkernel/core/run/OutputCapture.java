package dev.agentkernel.core.run;

import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A command's output kept for one answer, bounded as it arrives: the first {@code limit} bytes
 * of stdout and stderr, interleaved as they came, are kept once (stdout and stderr on their own
 * are read back from the same bytes); everything after is counted and discarded at once, so a
 * command that prints gigabytes costs no more memory than one that prints {@code limit}.
 *
 * <p>Kept bytes live in 64 KiB blocks allocated as needed, up to {@code inMemory} bytes; beyond
 * that, a capture made by {@link #spilling} writes them to a file in its directory (created on
 * first need, deleted by {@link #close()}), so many concurrent floods hold little heap. A capture
 * without a directory keeps everything in memory.
 *
 * <p>Stream switches are recorded as runs; a command that alternates stdout and stderr more than
 * {@value #MAX_RUNS} times stops being kept there (and is marked truncated), which bounds that
 * bookkeeping too. Thread-safe.
 */
public final class OutputCapture implements RunListener, AutoCloseable {

    /** Size of one in-memory block. */
    static final int BLOCK = 64 * 1024;
    /** The most stream switches recorded. */
    static final int MAX_RUNS = 1 << 20;

    private final long limit;
    private final long inMemory;
    private final Optional<Path> spillDir;
    private final List<byte[]> blocks = new ArrayList<>();   // guarded by this
    private long size;                                        // guarded by this: bytes kept
    private long discarded;                                   // guarded by this
    private int[] runStarts = new int[16];                    // guarded by this: where each run begins
    private int runs;                                         // guarded by this
    private OutputStreamKind firstKind;                       // guarded by this; runs alternate from it
    private OutputStreamKind lastKind;                        // guarded by this
    private Path spillFile;                                   // guarded by this
    private FileChannel spill;                                // guarded by this
    private boolean closed;                                   // guarded by this
    private boolean stopped;                                  // guarded by this: keep nothing more

    private OutputCapture(long limit, long inMemory, Optional<Path> spillDir) {
        if (limit < 0 || inMemory < 0) {
            throw new IllegalArgumentException("limits must not be negative: " + limit + ", " + inMemory);
        }
        this.limit = limit;
        this.inMemory = spillDir.isPresent() ? Math.min(inMemory, limit) : limit;
        this.spillDir = spillDir;
    }

    /** Keeps at most {@code limit} bytes, all in memory. */
    public static OutputCapture inMemory(long limit) {
        return new OutputCapture(limit, limit, Optional.empty());
    }

    /**
     * Keeps at most {@code limit} bytes: the first {@code inMemory} in memory, the rest in a
     * temporary file under {@code dir} (created when needed).
     */
    public static OutputCapture spilling(long limit, long inMemory, Path dir) {
        return new OutputCapture(limit, inMemory, Optional.of(Objects.requireNonNull(dir, "dir")));
    }

    @Override
    public synchronized void output(OutputStreamKind stream, byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        int n = closed || stopped ? 0 : (int) Math.max(0, Math.min(length, limit - size));
        if (n > 0 && stream != lastKind) {
            if (runs == MAX_RUNS) {
                n = 0; // alternating too often to keep track of: keep nothing more
                stopped = true;
            } else {
                if (runs == runStarts.length) {
                    runStarts = Arrays.copyOf(runStarts, Math.min(MAX_RUNS, runs * 2));
                }
                runStarts[runs++] = (int) size;
                if (firstKind == null) {
                    firstKind = stream;
                }
                lastKind = stream;
            }
        }
        discarded += length - n;
        if (n > 0) {
            store(bytes, offset, n);
        }
    }

    private void store(byte[] bytes, int offset, int n) {
        while (n > 0 && size < inMemory) {
            int inBlock = (int) (size % BLOCK);
            if (inBlock == 0) {
                blocks.add(new byte[(int) Math.min(BLOCK, inMemory - size)]);
            }
            byte[] block = blocks.getLast();
            int k = Math.min(n, block.length - inBlock);
            System.arraycopy(bytes, offset, block, inBlock, k);
            size += k;
            offset += k;
            n -= k;
        }
        if (n > 0) {
            try {
                if (spill == null) {
                    Files.createDirectories(spillDir.orElseThrow());
                    spillFile = Files.createTempFile(spillDir.get(), "output-", ".bin");
                    spill = FileChannel.open(spillFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
                ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, n);
                long at = size - inMemory;
                while (buffer.hasRemaining()) {
                    at += spill.write(buffer, at);
                }
                size += n;
            } catch (IOException e) {
                // The disk refused: keep what we have and say the rest was not kept.
                discarded += n;
                stopped = true;
                System.getLogger(OutputCapture.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot keep command output beyond " + inMemory + " bytes in " + spillDir.get() + ": " + e);
            }
        }
    }

    /** Whether output was not kept (beyond the limit, or too many stream switches). */
    public synchronized boolean truncated() {
        return discarded > 0;
    }

    /** Bytes kept. */
    public synchronized long size() {
        return size;
    }

    /** Bytes seen and not kept. */
    public synchronized long discarded() {
        return discarded;
    }

    /**
     * The kept bytes: all of them as they came ({@code stream} empty) or only those of one
     * stream. The stream reads what was kept when it was opened.
     */
    public synchronized InputStream open(Optional<OutputStreamKind> stream) {
        List<long[]> ranges = new ArrayList<>(); // [from, to)
        for (int i = 0; i < runs; i++) {
            OutputStreamKind kind = (i % 2 == 0) ? firstKind : other(firstKind);
            long from = runStarts[i];
            long to = i + 1 < runs ? runStarts[i + 1] : size;
            if (stream.isEmpty() || stream.get() == kind) {
                if (!ranges.isEmpty() && ranges.getLast()[1] == from) {
                    ranges.getLast()[1] = to;
                } else {
                    ranges.add(new long[] {from, to});
                }
            }
        }
        return new RangeStream(ranges);
    }

    /** Like {@link #open}, decoded as UTF-8 (malformed input replaced). */
    public Reader reader(Optional<OutputStreamKind> stream) {
        return new InputStreamReader(open(stream), StandardCharsets.UTF_8);
    }

    /** Like {@link #open}, as one string (for answers that must be built in memory). */
    public String text(Optional<OutputStreamKind> stream) {
        try (InputStream in = open(stream)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static OutputStreamKind other(OutputStreamKind kind) {
        return kind == OutputStreamKind.STDOUT ? OutputStreamKind.STDERR : OutputStreamKind.STDOUT;
    }

    /** Reads {@code length} kept bytes at {@code position} into {@code into}; returns how many. */
    private synchronized int read(long position, byte[] into, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("the output capture was closed");
        }
        if (position < inMemory) {
            byte[] block = blocks.get((int) (position / BLOCK));
            int inBlock = (int) (position % BLOCK);
            int k = (int) Math.min(length, Math.min(block.length - inBlock, size - position));
            System.arraycopy(block, inBlock, into, offset, k);
            return k;
        }
        return spill.read(ByteBuffer.wrap(into, offset, length), position - inMemory);
    }

    /** Frees the memory and deletes the spill file. Later output is discarded. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        blocks.clear();
        if (spill != null) {
            try {
                spill.close();
                Files.deleteIfExists(spillFile);
            } catch (IOException e) {
                throw new SandboxFailureException("cannot delete " + spillFile + ": " + e.getMessage(), e);
            }
        }
    }

    /** The bytes of some ranges of the capture, read in place. */
    private final class RangeStream extends InputStream {
        private final List<long[]> ranges;
        private int range;
        private long position;

        RangeStream(List<long[]> ranges) {
            this.ranges = ranges;
            this.position = ranges.isEmpty() ? 0 : ranges.getFirst()[0];
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            while (range < ranges.size() && position >= ranges.get(range)[1]) {
                range++;
                if (range < ranges.size()) {
                    position = ranges.get(range)[0];
                }
            }
            if (range >= ranges.size()) {
                return -1;
            }
            int want = (int) Math.min(len, ranges.get(range)[1] - position);
            int n = OutputCapture.this.read(position, b, off, want);
            if (n <= 0) {
                throw new IOException("kept output ended early at byte " + position);
            }
            position += n;
            return n;
        }
    }
}
